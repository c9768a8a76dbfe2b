"use client";

import { ThreadError } from "@/components/thread/thread-states";

export default function ThreadErrorBoundary({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ThreadError onRetry={reset} />;
}
