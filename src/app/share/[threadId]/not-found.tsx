import { ShareNotFound } from "@/components/share/shared-thread-view";

/** One page for expired, revoked, never-shared, missing and deleted threads alike (docs/sharing.md, "Rules"). */
export default function NotFound() {
  return <ShareNotFound />;
}
