import { ThreadNotFound } from "@/components/thread/thread-states";

/** The thread page's 404, for a missing or foreign thread's print view alike. */
export default function NotFound() {
  return <ThreadNotFound />;
}
