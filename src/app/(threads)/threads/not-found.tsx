import { ThreadNotFound } from "@/components/thread-states";

export default function NotFound() {
  return <ThreadNotFound />;
}
