import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { I18nProvider } from "@/lib/client/i18n-provider";
import { requestLocale } from "@/lib/server/request-locale";
import { currentUser } from "@/server/auth";
import "katex/dist/katex.min.css";
import "../(threads)/threads.css";
import "./print.css";

/**
 * The print view sits outside the signed-in shell (no sidebar, no message box), signed in all the same: without a
 * session it goes to sign-in, as the thread page does ((threads)/layout.tsx). Docs: docs/import-export.md.
 */
export default async function PrintLayout({ children }: { children: ReactNode }) {
  if (!(await currentUser())) redirect("/sign-in");
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
