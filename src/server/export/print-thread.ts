/**
 * A whole thread for its print view (`/threads/{id}/print`, docs/import-export.md, "Print or save as PDF"): the
 * thread page's owner check (findOwnedThreadOutline: a missing or foreign thread is null, the same 404), then the
 * steps of the latest turns, bounded so that no thread makes an unbounded page: at most PRINT_MAX_STEPS steps and
 * about PRINT_MAX_CHARS characters of text (read newest first: older steps past the budget stay unread). What is cut
 * is the oldest part, on a turn's boundary, and the page says so; the Markdown export has all of it.
 */
import type { DynamoDBDataLayer, Element, Step, StepOutline, Thread, ThreadOutline } from "@/data";
import { attachElements } from "@/lib/shared/thread/build-step-tree";
import type { SessionUser } from "../auth/session-user";
import { findOwnedThreadOutline } from "../thread/thread-access";
import { messageCount, splitTurns } from "../thread/thread-window";

/** Steps printed at most: a long agent thread's newest 2,000 steps are already hundreds of pages. */
export const PRINT_MAX_STEPS = 2_000;
/** Characters of step text printed at most (inputs and outputs): a few MB of HTML, what a browser prints without trouble. */
export const PRINT_MAX_CHARS = 3_000_000;
/** Images shown inline (signed links); any further ones are listed by name, as every other attachment. */
export const PRINT_MAX_IMAGES = 50;

const PRINT_READ_MIN_BYTES = 16 * 1024 * 1024;

export interface PrintBounds {
  maxSteps: number;
  maxChars: number;
  maxImages: number;
}
export const PRINT_BOUNDS: PrintBounds = { maxSteps: PRINT_MAX_STEPS, maxChars: PRINT_MAX_CHARS, maxImages: PRINT_MAX_IMAGES };

export interface PrintedThread {
  thread: Pick<Thread, "id" | "name" | "createdAt" | "updatedAt">;
  /** The printed steps in reading order (each turn's root, then what is under it). */
  steps: Step[];
  /** Attachments by step id, and those of no step of the thread (printed last). The newest PRINT_MAX_IMAGES images carry a signed link (`urlExpiresAt` set). */
  attachments: { byStep: Map<string, Element[]>; loose: Element[] };
  /** Set when the oldest part is left out: the messages printed and the thread's. */
  cut: { shown: number; total: number } | null;
}

/**
 * Where printing starts among `total` steps in reading order, given where a bound cut them (`cut`: the first step
 * kept) and where each turn starts (ascending): the next turn's start, so no turn is printed half, unless the cut
 * falls inside the last turn (one turn over the bound), which is then printed from the cut.
 */
export function printStart(turnStarts: readonly number[], total: number, cut: number): number {
  if (cut <= 0) return 0;
  if (cut >= total) return total;
  return turnStarts.find((start) => start >= cut) ?? cut;
}

const textChars = (step: Step) => (step.input?.length ?? 0) + (step.output?.length ?? 0);
const isImage = (element: Element) => element.type === "image" || (element.mime ?? "").toLowerCase().startsWith("image/");

type Data = Parameters<typeof findOwnedThreadOutline>[0] & Pick<DynamoDBDataLayer, "signElements">;

/**
 * What may be printed of a thread, whoever prints it: the steps in place (an outline's, no text yet) and the elements,
 * and the read of whole steps. The owner's view passes the whole thread (readPrintedThread); a share's, its snapshot
 * only (shared-print.ts), so nothing past what the share shows is read, counted or printed.
 */
export interface PrintSource {
  steps: readonly StepOutline[];
  elements: readonly Element[];
  newestSteps: ThreadOutline["newestSteps"];
}

export type PrintedWindow = Omit<PrintedThread, "thread">;

/**
 * The printed part of `source` within `bounds` (above): its steps (through `shown`, what the viewer may see of a step)
 * and its attachments, the newest `maxImages` images signed by `sign` (and through `shown`'s element counterpart).
 */
export async function printWindow(
  source: PrintSource,
  bounds: PrintBounds,
  view: { sign: (images: Element[]) => Promise<Element[]>; step?: (steps: Step[]) => Step[]; element?: (element: Element) => Element },
): Promise<PrintedWindow> {
  const turns = splitTurns(source.steps);
  const order = turns.flatMap((turn) => turn.steps.map((step) => step.id));
  const turnStarts: number[] = [];
  turns.reduce((at, turn) => (turnStarts.push(at), at + turn.steps.length), 0);
  const byCount = printStart(turnStarts, order.length, order.length - bounds.maxSteps);
  const read = await source.newestSteps(order.slice(byCount), {
    maxChars: bounds.maxChars,
    // What the read may take from the table: UTF-8 is at most 4 bytes a character, and never less than a few of
    // DynamoDB's largest items, so one step still to read never stops the read alone.
    maxBytes: Math.max(4 * bounds.maxChars, PRINT_READ_MIN_BYTES),
    charsOf: textChars,
  });
  // Returned in the order asked: the first is the oldest read, where the character budget stopped the read.
  const position = new Map(order.map((id, index) => [id, index]));
  const oldestRead = read.length > 0 ? position.get(read[0]!.id)! : order.length;
  const start = printStart(turnStarts, order.length, oldestRead);
  const kept = read.filter((step) => position.get(step.id)! >= start);
  const steps = view.step ? view.step(kept) : kept;
  const printedIds = new Set(steps.map((step) => step.id));
  const allIds = new Set(order);
  const shownElements = source.elements.filter((element) => (element.forId && allIds.has(element.forId) ? printedIds.has(element.forId) : true));
  // Only images are signed (the page shows them), and only so many: a thread may hold thousands of files.
  const images = shownElements.filter(isImage).slice(-bounds.maxImages);
  const signed = new Map((await view.sign(images)).map((element) => [element.id, element]));
  const shown = view.element ?? ((element: Element) => element);
  // An element of a step left out is left out too; one of no step of the thread is printed last ("loose").
  const { byStep, orphans } = attachElements(
    shownElements.map((element) => shown(signed.get(element.id) ?? element)),
    printedIds,
  );
  return {
    steps,
    attachments: { byStep, loose: orphans },
    cut: start > 0 ? { shown: messageCount(steps), total: messageCount(source.steps) } : null,
  };
}

/** The caller's thread as its print view shows it, or null for a missing or foreign thread (above). */
export async function readPrintedThread(data: Data, user: SessionUser, threadId: string, bounds: PrintBounds = PRINT_BOUNDS): Promise<PrintedThread | null> {
  const outline = await findOwnedThreadOutline(data, user, threadId);
  if (!outline) return null;
  const { thread } = outline;
  const printed = await printWindow(outline, bounds, { sign: (images) => data.signElements(images) });
  return { thread: { id: thread.id, name: thread.name, createdAt: thread.createdAt, updatedAt: thread.updatedAt }, ...printed };
}
