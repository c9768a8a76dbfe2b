import type { Metadata } from "next";
import { NewChatView } from "@/components/new-chat-view";

export const metadata: Metadata = { title: "New chat" };

/** Home of the signed-in app: a new chat (issue 7); past threads are in the sidebar. */
export default function ThreadsPage() {
  return <NewChatView />;
}
