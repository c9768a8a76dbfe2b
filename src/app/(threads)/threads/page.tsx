import type { Metadata } from "next";
import { ThreadsHome } from "@/components/thread-states";

export const metadata: Metadata = { title: "Threads" };

export default function ThreadsPage() {
  return <ThreadsHome />;
}
