/**
 * A long share travels in windows of turns, as the owner's thread does (docs/sharing.md, "Long shares";
 * docs/long-threads.md). The share page opens at the FIRST turns, where a reader of a shared conversation starts
 * (the owner's page opens at the newest, where its writer continues), and `share.turns` brings the next ones as the
 * reader scrolls, or the turns around a `#step-…` link, and from there the ones before.
 *
 * A share cursor is bound to the share it came from: the thread, the snapshot (`sharedAt`: sharing again makes a new
 * one) and the settings it was given under (access and expiry: a changed share is reloaded, never continued). A
 * revoked, expired or missing share answers the one NOT_FOUND before any cursor is read (readSharedOutline); a cursor
 * of anything else, forged or of the owner's own turn pages (`k: "turns"`), is the one BAD_REQUEST.
 */
import { z } from "zod";
import { DataError, type DynamoDBDataLayer } from "@/data";
import { newerRange, olderRange, type Turn, type TurnRange } from "../thread/thread-window";
import type { EffectiveShare } from "./share-policy";

/** Turns a share page opens with, and per page after: as many as the owner's first window. */
export const SHARE_PAGE_TURNS = 20;
/** Turns on each side of a linked step. */
export const SHARE_AROUND_TURNS = 10;

export const firstRange = (total: number): TurnRange => ({ start: 0, end: Math.min(total, SHARE_PAGE_TURNS) });

/**
 * The turns around turn `index`. When that reaches into the first window it starts at the first turn instead, so the
 * reader has one unbroken block from the top, as when the page opened.
 */
export function aroundShareRange(index: number, total: number): TurnRange {
  const start = Math.max(0, index - SHARE_AROUND_TURNS);
  return { start: start <= SHARE_PAGE_TURNS ? 0 : start, end: Math.min(total, index + SHARE_AROUND_TURNS + 1) };
}

const ShareCursorSchema = z.object({
  v: z.literal(1),
  k: z.literal("share-turns"),
  /** The shared thread. */
  t: z.string(),
  /** The snapshot's `sharedAt`, and the settings it was given under. */
  s: z.string(),
  a: z.string(),
  x: z.string().nullable(),
  d: z.enum(["older", "newer"]),
  /** The turn it is relative to, by its root step (the snapshot does not change, but ids are what the owner's use). */
  r: z.string(),
});
type Sealer = Pick<DynamoDBDataLayer, "sealCursor" | "openCursor">;

/** What binds a cursor to a share as it is now. */
const bindingOf = (threadId: string, share: Pick<EffectiveShare, "sharedAt" | "access" | "expiresAt">) => ({ t: threadId, s: share.sharedAt, a: share.access, x: share.expiresAt });

export function encodeShareCursor(data: Sealer, threadId: string, share: EffectiveShare, d: "older" | "newer", rootId: string): string {
  return data.sealCursor({ v: 1, k: "share-turns", ...bindingOf(threadId, share), d, r: rootId });
}

/** The range a cursor names in this share as it is now; every failure is the same `invalid_cursor` (a 400). */
export function rangeOfShareCursor(data: Sealer, cursor: string, threadId: string, share: EffectiveShare, turns: readonly Turn[]): TurnRange {
  const parsed = ShareCursorSchema.safeParse(data.openCursor(cursor));
  const expected = bindingOf(threadId, share);
  if (!parsed.success || parsed.data.t !== expected.t || parsed.data.s !== expected.s || parsed.data.a !== expected.a || parsed.data.x !== expected.x) {
    throw new DataError("invalid_cursor", "invalid share cursor");
  }
  const anchor = turns.findIndex((turn) => turn.rootId === parsed.data.r);
  if (anchor < 0) throw new DataError("invalid_cursor", "invalid share cursor (turn gone)");
  return parsed.data.d === "older" ? olderRange(anchor) : newerRange(anchor, turns.length);
}
