"use client";

import { useState, type ReactNode } from "react";

/**
 * Renders its children from the first time `open` is true, and keeps them mounted after (a dialog reopened finds its
 * state, e.g. the import's last job, as before). Until then nothing of theirs runs: a closed dialog's query, infinite
 * query and mutation hooks would otherwise run in every page's server render and hydration for a dialog most views
 * never open (bench/HISTORY.md, "The thread page's server cost, third pass").
 */
export function OnceOpened({ open, children }: { open: boolean; children: ReactNode }) {
  const [opened, setOpened] = useState(open);
  if (open && !opened) setOpened(true);
  return opened ? children : null;
}
