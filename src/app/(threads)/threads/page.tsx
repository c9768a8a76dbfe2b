import type { Metadata } from "next";

export const metadata: Metadata = { title: "Threads" };

export default function ThreadsPage() {
  return (
    <main className="empty-state">
      <p className="muted">Pick a thread to read it, or start a new chat.</p>
    </main>
  );
}
