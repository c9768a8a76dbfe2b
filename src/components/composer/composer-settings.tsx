"use client";

import { createContext, useContext, type ReactNode } from "react";
import type { RouterOutputs } from "@/trpc/router-types";

/** The upload limits and who answers: what `chat.limits` and `chat.assistant` answer (server/chat/composer-settings.ts). */
export interface ComposerSettings {
  limits: RouterOutputs["chat"]["limits"];
  assistant: RouterOutputs["chat"]["assistant"];
}

const ComposerSettingsContext = createContext<ComposerSettings | null>(null);

/**
 * The signed-in layout renders this once with the settings as a plain prop: in the first paint of every page under
 * it, kept across client navigations (the layout is not rendered again), and no query, tRPC caller or dehydrated
 * cache per request for them.
 */
export function ComposerSettingsProvider({ settings, children }: { settings: ComposerSettings; children: ReactNode }) {
  return <ComposerSettingsContext.Provider value={settings}>{children}</ComposerSettingsContext.Provider>;
}

/** Null outside the signed-in layout (nothing there has a composer). */
export function useComposerSettings(): ComposerSettings | null {
  return useContext(ComposerSettingsContext);
}
