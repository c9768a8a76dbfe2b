/**
 * Reading a thread through its share link (docs/sharing.md). The one gate for the share page, its turn pages, its
 * download links and "Continue in my history": expired, revoked, never-shared, missing and deleted threads, and
 * malformed ids, all give `missing`, so a link's answer says nothing about why. Requests: 1 BatchGetItem of the share
 * state, then (only for a live share) the thread's read and the owner's display name, and a copy of each file stored
 * under a Chainlit key the first time a share is read (share-copies.ts).
 *
 * Two reads past the gate: the page, its turn pages and its download links read the thread's outline (every step's
 * place without its text: thread-outline.ts) and decode only the window sent (`readSharedOutline`, `sharedWindow`:
 * docs/sharing.md, "Long shares"); "Continue in my history" copies the whole snapshot (`readShare`).
 */
import { IdSchema, shareSnapshot, snapshotOf, type Element, type ShareState, type Step, type StepOutline, type ThreadOutline, type ThreadWithContent } from "@/data";
import type { SessionUser } from "../auth/session-user";
import { toPublicElement, toPublicThread } from "../thread/public-thread";
import { splitTurns, windowPlace, type Turn, type TurnRange } from "../thread/thread-window";
import type { Services } from "../services";
import { effectiveShare, sharedName, type EffectiveShare } from "./share-policy";
import { encodeShareCursor, firstRange } from "./share-window";

export type ShareRead =
  | { kind: "missing" }
  /** A live share for signed-in people, opened without a session: the page sends the viewer to sign in. */
  | { kind: "sign-in" }
  | { kind: "shared"; share: EffectiveShare; snapshot: ThreadWithContent; ownerName: string | null };

const MISSING = { kind: "missing" } as const;

type Gate = typeof MISSING | { kind: "sign-in" } | { kind: "open"; state: ShareState & { userId: string }; share: EffectiveShare };

/** Whether the link opens for this viewer: the share's state (1 BatchGetItem), nothing of the thread yet. */
async function openShare(services: Pick<Services, "data" | "env">, threadId: string, viewer: SessionUser | null): Promise<Gate> {
  if (!IdSchema.safeParse(threadId).success || !services.env.SHARE_ACCESS) return MISSING;
  const state = await services.data.getShareState(threadId);
  const share = effectiveShare(state, services.env.SHARE_ACCESS);
  if (state?.isShared && (share === null || share.expired)) {
    // Expired (or stopped) with Chainlit's flag still on: ended for Chainlit's share route too (docs/sharing.md,
    // "Expiry"). No request unless the settings say it has ended.
    await services.data.endShareIfExpired(state).catch(() => false);
  }
  if (!state || !share || share.expired) return MISSING;
  if (share.access === "signed-in" && !viewer) return { kind: "sign-in" };
  return { kind: "open", state: state as ShareState & { userId: string }, share };
}

/** The whole snapshot, every step read and decoded: what "Continue in my history" copies. */
export async function readShare(services: Pick<Services, "data" | "env">, threadId: string, viewer: SessionUser | null): Promise<ShareRead> {
  const gate = await openShare(services, threadId, viewer);
  if (gate.kind !== "open") return gate;
  const { state, share } = gate;
  // Links are signed for the snapshot only, and never to a key that names the owner (elementsForShare).
  const [thread, owner] = await Promise.all([services.data.getThread(threadId, { signElements: false }), services.data.getUserAuth(state.userId)]);
  // Deleted, or handed to someone else, between the two reads.
  if (!thread || thread.userId !== state.userId) return MISSING;
  const snapshot = shareSnapshot(thread, share.sharedAt);
  if (!snapshot) return MISSING;
  const elements = (await services.data.elementsForShare(snapshot.elements)).map(shownElement);
  return { kind: "shared", share, snapshot: { ...snapshot, name: sharedName(share, snapshot.name), elements }, ownerName: displayName(owner?.displayName, state.userId) };
}

export type SharedOutlineRead =
  | typeof MISSING
  | { kind: "sign-in" }
  | {
      kind: "shared";
      share: EffectiveShare;
      outline: ThreadOutline;
      /** The snapshot's steps, in place only (no text), and its turns. */
      steps: StepOutline[];
      turns: Turn<StepOutline>[];
      /** The snapshot's elements, links unsigned. */
      elements: Element[];
      ownerName: string | null;
    };

/**
 * The snapshot as an outline: the same gate and the same snapshot rule as readShare, from the outline read (the first
 * Query page whole, the rest keys and times only), so a view of a long share receives and decodes a window of it.
 */
export async function readSharedOutline(services: Pick<Services, "data" | "env">, threadId: string, viewer: SessionUser | null): Promise<SharedOutlineRead> {
  const gate = await openShare(services, threadId, viewer);
  if (gate.kind !== "open") return gate;
  const { state, share } = gate;
  const [outline, owner] = await Promise.all([services.data.getThreadOutline(threadId), services.data.getUserAuth(state.userId)]);
  if (!outline || outline.thread.userId !== state.userId) return MISSING;
  const snapshot = snapshotOf(outline.steps, outline.elements, share.sharedAt);
  if (!snapshot) return MISSING;
  return { kind: "shared", share, outline, steps: snapshot.steps, turns: splitTurns(snapshot.steps), elements: snapshot.elements, ownerName: displayName(owner?.displayName, state.userId) };
}

/**
 * What a share shows of an element, and all a copy keeps (as shownOf for steps): the file and how the view draws it.
 * Never Chainlit's `path` (where the Chainlit server kept the upload on its disk), `props` and `playerConfig` (a custom
 * element's data, which the view does not draw) or `chainlitKey`. The object key and the link stay for the server's
 * signing and copying; toPublicElement leaves the key out of what is sent.
 */
export function shownElement(element: Element): Element {
  const { id, threadId, type, name, display, size, language, page, forId, mime, bytes, createdAt, url, urlExpiresAt, objectKey, shareCopyKey } = element;
  const { previewKey, previewRefused, previewRetry, previewUrl, previewUrlExpiresAt } = element;
  return { id, threadId, type, name, display, size, language, page, forId, mime, bytes, createdAt, url, urlExpiresAt, objectKey, shareCopyKey, previewKey, previewRefused, previewRetry, previewUrl, previewUrlExpiresAt };
}

/** The owner's display name, never their email or identifier (which often is one). */
function displayName(name: string | null | undefined, identifier: string): string | null {
  const trimmed = name?.trim();
  return trimmed && trimmed !== identifier && !trimmed.includes("@") ? trimmed : null;
}

/**
 * What the share page and `share.turns` send to the browser: one window of the snapshot's turns (its steps the only
 * ones decoded, its elements' links signed through the share), in the public thread shape with the owner's private
 * parts taken out (metadata such as chat_profile, chat_settings and env, tags, the owner's id, feedback and its
 * comments, the identifier Chainlit puts in a user message's name), and the share's own facts beside it. Elements
 * that belong to no snapshot step go with the window that ends the snapshot (the view draws them last).
 */
export async function sharedWindow(data: Services["data"], read: Extract<SharedOutlineRead, { kind: "shared" }>, range: TurnRange) {
  const { outline, share, ownerName, turns } = read;
  const total = turns.length;
  const start = Math.max(0, Math.min(range.start, total));
  const end = Math.max(start, Math.min(range.end, total));
  const stepIds = turns.slice(start, end).flatMap((turn) => turn.steps.map((step) => step.id));
  const ids = new Set(stepIds);
  const allIds = end === total ? new Set(read.steps.map((step) => step.id)) : null;
  const inWindow = read.elements.filter((element) => (element.forId ? ids.has(element.forId) || (allIds !== null && !allIds.has(element.forId)) : allIds !== null));
  // Links are signed for these elements only, and never to a key that names the owner (elementsForShare).
  const [full, elements] = await Promise.all([outline.fullSteps(stepIds), data.elementsForShare(inWindow)]);
  const snapshot: ThreadWithContent = { ...outline.thread, steps: full, elements: elements.map(shownElement) };
  const thread = toPublicThread(snapshot, toPublicElement);
  const cursor = (d: "older" | "newer", index: number) => encodeShareCursor(data, outline.thread.id, share, d, turns[index]!.rootId);
  return {
    ...thread,
    // The header, the page's title and its link preview: one short line, whatever Chainlit named the thread with, and
    // the name it was shared under (a rename since is not shared).
    name: sharedName(share, thread.name),
    updatedAt: share.sharedAt,
    userId: null,
    tags: [] as string[],
    metadata: {} as Record<string, unknown>,
    steps: stepsWithoutOwner(snapshot, null).map(({ feedback: _ownersRating, ...step }) => step),
    share: { sharedAt: share.sharedAt, ownerName, access: share.access, expiresAt: share.expiresAt },
    // A viewer gets no thread pass: there is no feedback to give on a share.
    pass: undefined,
    window: windowPlace(start, end, total, read.steps, cursor),
  };
}
export type SharedThread = Awaited<ReturnType<typeof sharedWindow>>;

/** What the share page reads and sends: the gate, then the snapshot's first window (share-window.ts). */
export async function readSharePage(services: Pick<Services, "data" | "env">, threadId: string, viewer: SessionUser | null) {
  const read = await readSharedOutline(services, threadId, viewer);
  if (read.kind !== "shared") return read;
  return { kind: "shared" as const, thread: await sharedWindow(services.data, read, firstRange(read.turns.length)) };
}

/**
 * The snapshot's steps without the owner's identifier (often an email): Chainlit names a user's message after it, and
 * any step may carry it as its name. A user's message is named `userMessageName` instead: nobody on the share page,
 * the copier in a "Continue in my history" copy (as a message they sent is named).
 */
export function stepsWithoutOwner(snapshot: ThreadWithContent, userMessageName: string | null): ThreadWithContent["steps"] {
  return snapshot.steps.map((step) => shownOf(step, step.type === "user_message" ? userMessageName : snapshot.userId && step.name === snapshot.userId ? null : step.name));
}

/**
 * What a share shows of a step, and all a copy of it keeps: the fields the conversation view draws, picked one by
 * one. The rest of a step is the owner's and is never drawn: Chainlit's `generation` (an LLM step's whole prompt, the
 * deployment's system prompt and whatever context it was given, its settings), the step's `metadata` (anything the
 * app put there; the view reads only `cancelled`), `tags`, `command`, `modes`, `icon`. They went to every viewer in
 * the page's data, anonymous ones included, and a copy kept them in the copier's account (docs/security.md).
 */
function shownOf(step: Step, name: string | null | undefined): Step {
  const { id, threadId, parentId, type, input, output, createdAt, start, end, isError, language, defaultOpen, showInput } = step;
  const cancelled = (step.metadata as { cancelled?: unknown } | null | undefined)?.cancelled === true;
  return { id, threadId, parentId, name, type, input, output, createdAt, start, end, isError, language, defaultOpen, showInput, ...(cancelled ? { metadata: { cancelled: true } } : {}) };
}

/** An element of the snapshot (never one added after the share, nor another thread's), links unsigned. */
export const snapshotElement = (read: Extract<SharedOutlineRead, { kind: "shared" }>, elementId: string): Element | null =>
  read.elements.find((element) => element.id === elementId) ?? null;
