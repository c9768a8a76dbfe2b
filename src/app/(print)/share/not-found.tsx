import { ShareNotFound } from "@/components/share/shared-thread-view";

/** The share page's one 404 (share/[threadId]/not-found.tsx), for a print view of anything but a live share. */
export default function NotFound() {
  return <ShareNotFound />;
}
