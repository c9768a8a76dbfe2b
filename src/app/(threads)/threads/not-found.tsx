import { ThreadNotFound } from "@/components/thread/thread-states";

export default function NotFound() {
  return <ThreadNotFound />;
}
