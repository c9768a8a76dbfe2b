import type { Metadata } from "next";
import { NewChatView } from "@/components/thread/new-chat-view";
import { HydrateClient } from "@/trpc/server";
import { prefetchComposerSettings } from "./composer-settings";

export const metadata: Metadata = { title: "New chat" };

/** Home of the signed-in app: a new chat; past threads are in the sidebar. */
export default async function ThreadsPage() {
  await prefetchComposerSettings();
  return (
    <HydrateClient>
      <NewChatView />
    </HydrateClient>
  );
}
