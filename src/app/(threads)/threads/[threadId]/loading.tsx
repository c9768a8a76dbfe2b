import { ThreadSkeleton } from "@/components/thread/thread-states";

export default function Loading() {
  return <ThreadSkeleton />;
}
