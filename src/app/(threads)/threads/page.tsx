import type { Metadata } from "next";
import { NewChatView } from "@/components/thread/new-chat-view";

export const metadata: Metadata = { title: "New chat" };

/** Home of the signed-in app: a new chat; past threads are in the sidebar. */
export default function ThreadsPage() {
  return <NewChatView />;
}
