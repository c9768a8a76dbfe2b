import { ThreadSkeleton } from "@/components/thread-states";

export default function Loading() {
  return <ThreadSkeleton />;
}
