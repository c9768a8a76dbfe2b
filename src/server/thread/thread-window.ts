/**
 * Long threads travel in windows of turns (docs/long-threads.md). The data layer still reads the whole partition (step
 * keys are not time-ordered, so no Query can return "the last 20 turns") but decodes only the window's steps
 * (getThreadOutline); what leaves the server is a window of whole turns, its element links signed, and signed cursors
 * to the turns before and after it.
 *
 * A turn is one root of the step tree with everything under it (a user message, its run, tools and answers): the
 * client draws turns whole, so a window never cuts one in half.
 */
import { z } from "zod";
import { DataError, threadNameShown, type DynamoDBDataLayer, type Element, type Step, type ThreadOutline } from "@/data";
import { buildStepTree, newestTurn, treeOrder, type TreeStepLike } from "@/lib/shared/thread/build-step-tree";
import { openReplyState, type OpenReply } from "../chat/open-reply";
import { toPublicElement, toPublicThread } from "./public-thread";

/** Turns sent when a thread opens: enough to fill a tall screen several times, small enough for a ~100 KB page. */
export const LATEST_TURNS = 20;
/** Turns per page when scrolling. */
export const PAGE_TURNS = 20;
/** Turns on each side of a linked step. */
export const AROUND_TURNS = 10;

export interface Turn<S extends TreeStepLike = TreeStepLike> {
  rootId: string;
  steps: S[];
}

/** The thread's turns in reading order, each with its steps (root first, depth first). */
export function splitTurns<S extends TreeStepLike>(steps: readonly S[]): Turn<S>[] {
  return buildStepTree(steps).map((root) => ({ rootId: root.step.id, steps: treeOrder([root]) }));
}

/** Half-open range of turn indexes [start, end). */
export interface TurnRange {
  start: number;
  end: number;
}

export const latestRange = (total: number): TurnRange => ({ start: Math.max(0, total - LATEST_TURNS), end: total });
export const olderRange = (anchor: number): TurnRange => ({ start: Math.max(0, anchor - PAGE_TURNS), end: anchor });
export const newerRange = (anchor: number, total: number): TurnRange => ({ start: anchor + 1, end: Math.min(total, anchor + 1 + PAGE_TURNS) });

/**
 * The turns around turn `index`. When that window reaches into the latest one it runs to the end instead, so the
 * client gets one unbroken block that ends at the newest turn, as when it opened the thread.
 */
export function aroundRange(index: number, total: number): TurnRange {
  const start = Math.max(0, index - AROUND_TURNS);
  const end = Math.min(total, index + AROUND_TURNS + 1);
  return { start, end: end >= latestRange(total).start ? total : end };
}

/** The index of the turn holding a step, or -1. */
export function turnIndexOfStep(turns: readonly Turn[], stepId: string): number {
  return turns.findIndex((turn) => turn.steps.some((step) => step.id === stepId));
}

/**
 * What a turn cursor carries: whose thread (user and thread, so a cursor only resumes the thread it came from, for
 * the user it was given to), which way, and the turn it is relative to (by root step id: an index would drift when
 * another writer inserts a turn).
 */
const TurnCursorSchema = z.object({
  v: z.literal(1),
  k: z.literal("turns"),
  u: z.string(),
  t: z.string(),
  d: z.enum(["older", "newer"]),
  r: z.string(),
});
type TurnCursor = z.infer<typeof TurnCursorSchema>;
type Sealer = Pick<DynamoDBDataLayer, "sealCursor" | "openCursor">;

export function encodeTurnCursor(data: Sealer, cursor: Omit<TurnCursor, "v" | "k">): string {
  return data.sealCursor({ v: 1, k: "turns", ...cursor });
}

/** The range a cursor names in this thread for this user; every failure is the same `invalid_cursor` (a 400). */
export function rangeOfCursor(data: Sealer, cursor: string, expected: { userId: string; threadId: string }, turns: readonly Turn[]): TurnRange {
  const parsed = TurnCursorSchema.safeParse(data.openCursor(cursor));
  if (!parsed.success || parsed.data.u !== expected.userId || parsed.data.t !== expected.threadId) throw new DataError("invalid_cursor", "invalid cursor");
  const anchor = turns.findIndex((turn) => turn.rootId === parsed.data.r);
  // The turn it pointed at is gone (deleted by another writer): the client reloads the thread.
  if (anchor < 0) throw new DataError("invalid_cursor", "invalid cursor (turn gone)");
  return parsed.data.d === "older" ? olderRange(anchor) : newerRange(anchor, turns.length);
}

const MESSAGE_TYPES = new Set(["user_message", "assistant_message"]);
export const messageCount = (steps: readonly TreeStepLike[]) => steps.filter((step) => MESSAGE_TYPES.has(step.type ?? "")).length;

/**
 * Where a window sits among a thread's turns, as the owner's and the share's pages both send it: its range, the
 * thread's size, and a cursor each way while there is more (`cursor` seals one for the turn at an index).
 */
export function windowPlace(start: number, end: number, total: number, steps: readonly TreeStepLike[], cursor: (d: "older" | "newer", index: number) => string) {
  return {
    start,
    end,
    total,
    messages: messageCount(steps),
    olderCursor: start > 0 ? cursor("older", start) : null,
    newerCursor: end < total ? cursor("newer", end - 1) : null,
  };
}

/**
 * One window of the thread as the API returns it: the thread's own fields, the window's steps (the only ones decoded)
 * and elements (links signed now, for these elements only), and where it sits: `start`/`end` in turns, the thread's
 * `total` turns and `messages`, and cursors to the turns before and after (null at either end of the thread).
 * Elements that belong to no step go with the window that ends the thread (the view draws them last).
 */
export async function threadWindow(
  data: Sealer & Pick<DynamoDBDataLayer, "signElements">,
  userId: string,
  outline: ThreadOutline,
  turns: readonly Turn[],
  range: TurnRange,
  /** The owner's thread pass for feedback clicks (thread-access.ts); none for a draft. */
  pass?: string,
  /**
   * Whether nobody holds the thread's claim now (chat/thread-claim.ts, threadClaimed): asked only when the window ends
   * at the newest turn and its reply is an open run of this app's. Without it such a run counts as being written.
   */
  claimFree: () => Promise<boolean> = async () => false,
) {
  const total = turns.length;
  const start = Math.max(0, Math.min(range.start, total));
  const end = Math.max(start, Math.min(range.end, total));
  const stepIds = turns.slice(start, end).flatMap((turn) => turn.steps.map((step) => step.id));
  const steps: Step[] = await outline.fullSteps(stepIds);
  const ids = new Set(stepIds);
  const allIds = end === total ? new Set(outline.steps.map((step) => step.id)) : null;
  const shown = outline.elements.filter((element: Element) => (element.forId ? ids.has(element.forId) || (allIds !== null && !allIds.has(element.forId)) : allIds !== null));
  const elements = await data.signElements(shown);
  const cursor = (d: "older" | "newer", index: number) => encodeTurnCursor(data, { u: userId, t: outline.thread.id, d, r: turns[index]!.rootId });
  // The thread's metadata stays on the server: no view draws it, and Chainlit saves a whole session there (its
  // chat settings, the `env` a user typed keys into), up to hundreds of KB that every open and page would carry.
  // The export carries it (thread-export.ts).
  const { metadata: _metadata, ...thread } = toPublicThread({ ...outline.thread, steps, elements }, toPublicElement);
  // A block ending at the newest turn says whether its reply is still being written or was cut off (chat/open-reply.ts).
  const newestReply = end === total && end > start ? (newestTurn(outline.steps)?.reply ?? []) : [];
  const openReply = await openReplyState(newestReply, new Map(steps.map((step) => [step.id, step])), claimFree, Date.now());
  // Left out when the reply has ended (nearly always): the window is as it was.
  const window: ReturnType<typeof windowPlace> & { openReply?: OpenReply } = windowPlace(start, end, total, outline.steps, cursor);
  if (openReply) window.openReply = openReply;
  return {
    ...thread,
    name: threadNameShown(thread.name),
    window,
    pass,
  };
}

/** What a thread opens with (threads.get and the server-rendered page): its latest turns. */
export function latestWindow(data: Sealer & Pick<DynamoDBDataLayer, "signElements">, userId: string, outline: ThreadOutline, pass?: string, claimFree?: () => Promise<boolean>) {
  const turns = splitTurns(outline.steps);
  return threadWindow(data, userId, outline, turns, latestRange(turns.length), pass, claimFree);
}
