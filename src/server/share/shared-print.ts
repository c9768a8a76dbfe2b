/**
 * A share link's print view (`/share/{threadId}/print`, docs/sharing.md, "Print"): the owner's print code
 * (print-thread.ts: the same bounds, turns and attachments) over exactly what the share page may read. The same gate
 * (readSharedOutline: a revoked, expired, stopped or never-shared thread, a missing one and a malformed id are the
 * one `missing`; a share for signed-in people asks an anonymous viewer to sign in), then only the snapshot's steps
 * and elements: a step added after the share is never read, printed or counted in the "too long" note. Steps and
 * elements go through the share's own filters (`stepsWithoutOwner`, `shownElement`: no owner identifier, no field
 * the view does not draw), and images are signed as the share signs them (`elementsForShare`: a file under a
 * Chainlit key is signed as its share copy, never as the original that names the owner).
 */
import type { Services } from "../services";
import type { SessionUser } from "../auth/session-user";
import { PRINT_BOUNDS, printWindow, type PrintBounds, type PrintedWindow } from "../export/print-thread";
import { readSharedOutline, shownElement, stepsWithoutOwner } from "./shared-thread";
import { sharedName } from "./share-policy";

export type SharedPrintRead =
  | { kind: "missing" }
  | { kind: "sign-in" }
  | ({ kind: "shared"; thread: { id: string; name: string | null; sharedAt: string; ownerName: string | null } } & PrintedWindow);

/** The share's snapshot as its print view shows it (above). */
export async function readSharedPrint(services: Pick<Services, "data" | "env">, threadId: string, viewer: SessionUser | null, bounds: PrintBounds = PRINT_BOUNDS): Promise<SharedPrintRead> {
  const read = await readSharedOutline(services, threadId, viewer);
  if (read.kind !== "shared") return read;
  const { outline, share, ownerName } = read;
  const printed = await printWindow({ steps: read.steps, elements: read.elements, newestSteps: outline.newestSteps }, bounds, {
    sign: (images) => services.data.elementsForShare(images),
    step: (steps) => stepsWithoutOwner({ ...outline.thread, steps, elements: [] }, null),
    element: shownElement,
  });
  return { kind: "shared", thread: { id: outline.thread.id, name: sharedName(share, outline.thread.name), sharedAt: share.sharedAt, ownerName }, ...printed };
}
