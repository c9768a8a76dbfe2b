import type { ReactNode } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { I18nProvider } from "@/lib/client/i18n-provider";
import { requestLocale } from "@/lib/server/request-locale";
// KaTeX's styles and fonts (bundled, served from this origin) for math in Markdown (markdown.tsx).
import "katex/dist/katex.min.css";
import "../(threads)/threads.css";

/** Share pages sit outside the signed-in shell: no sidebar, no session required (docs/sharing.md). */
export default async function ShareLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  return (
    <I18nProvider initialLocale={locale}>
      <ToastProvider>
        <main className="share-page" id="main">
          {children}
        </main>
      </ToastProvider>
    </I18nProvider>
  );
}
