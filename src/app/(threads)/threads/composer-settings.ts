import { api } from "@/trpc/server";

/**
 * What the message box needs from the server (upload limits, who answers), prefetched while the page renders and
 * handed to the browser's cache by <HydrateClient>: the demo label and the file picker's types are in the first
 * paint, and the browser asks for nothing more (those queries would otherwise ride in the same batch as the thread
 * list). Signed out, the procedures refuse and nothing is prefetched.
 */
export async function prefetchComposerSettings(): Promise<void> {
  await Promise.all([api.chat.limits.prefetch(), api.chat.assistant.prefetch()]);
}
