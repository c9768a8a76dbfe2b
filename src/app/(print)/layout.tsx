import type { ReactNode } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { I18nProvider } from "@/lib/client/i18n-provider";
import { requestLocale } from "@/lib/server/request-locale";
import "katex/dist/katex.min.css";
import "../(threads)/threads.css";
import "./print.css";

/**
 * The print views sit outside the signed-in shell (no sidebar, no message box): the owner's (threads/, signed in:
 * threads/layout.tsx) and a share link's (share/, whoever the share lets in: docs/sharing.md, "Print").
 * Docs: docs/import-export.md, "Print or save as PDF".
 */
export default async function PrintLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  return (
    <I18nProvider initialLocale={locale}>
      <ToastProvider>
        <main className="print-page" id="main">
          {children}
        </main>
      </ToastProvider>
    </I18nProvider>
  );
}
