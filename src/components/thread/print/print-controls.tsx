"use client";

import { useEffect, useRef } from "react";
import { useI18n } from "@/lib/client/i18n-provider";

/**
 * The print view's Print button (hidden on paper: print.css) and, when the page was opened to print (`?print=1`, the
 * Export menu's item), the browser's print dialog once, when the page and its images have loaded. A client
 * component, not an inline script or handler: the CSP runs only the app's own scripts (security-headers.ts).
 */
export function PrintControls({ autoPrint }: { autoPrint: boolean }) {
  const { t } = useI18n();
  // Once per page, even when React runs the effect twice (development's Strict Mode).
  const printed = useRef(false);
  useEffect(() => {
    if (!autoPrint) return;
    // In a task of its own: the dates (local-time.tsx) are written in the reader's zone by a render React makes right
    // after hydration's effects, this one included; printed now, the page would still show the server's UTC.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const print = () => {
      timer = setTimeout(() => {
        if (printed.current) return;
        printed.current = true;
        window.print();
      });
    };
    if (document.readyState === "complete") print();
    else window.addEventListener("load", print, { once: true });
    return () => {
      window.removeEventListener("load", print);
      clearTimeout(timer);
    };
  }, [autoPrint]);
  return (
    <div className="print-controls">
      <button type="button" className="btn btn-primary" onClick={() => window.print()}>
        {t.printButton}
      </button>
    </div>
  );
}
