import type { Metadata } from "next";
import Link from "next/link";
import { requestLocale } from "@/lib/server/request-locale";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import "./(threads)/threads.css";

export const metadata: Metadata = { title: "404" };

/**
 * Any address nothing else answers (threads and share links have their own). Next's built-in 404 would show
 * otherwise, and its inline <style> carries no nonce: the page CSP refuses it, a violation on every unknown URL.
 */
export default async function NotFound() {
  const t = DICTIONARIES[await requestLocale()];
  return (
    <main className="share-page" id="main">
      <div className="page-state">
        <h1>{t.pageNotFoundTitle}</h1>
        <p className="muted">{t.pageNotFoundBody}</p>
        <Link href="/threads" className="btn btn-primary">
          {t.backToThreads}
        </Link>
      </div>
    </main>
  );
}
