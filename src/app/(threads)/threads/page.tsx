import type { Metadata } from "next";
import { requestLocale } from "@/lib/server/request-locale";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import { NewChatView } from "@/components/thread/new-chat-view";

/** The tab's title in the reader's language, as the page's own words. */
export async function generateMetadata(): Promise<Metadata> {
  return { title: DICTIONARIES[await requestLocale()].newChat };
}

/** Home of the signed-in app: a new chat; past threads are in the sidebar. */
export default function ThreadsPage() {
  return <NewChatView />;
}
