/**
 * What the user is typing in a message box, kept in the browser so a reload, a crashed tab or signing in again after
 * the session ended elsewhere gives it back (docs/security.md, "Drafts"). One localStorage key holds them all
 * (DRAFTS_STORAGE_KEY), as user storage under the user's tag: emptied at sign-out and before another user's pages
 * read anything (client-state.ts). The text only: files cannot be stored. Never sent anywhere.
 *
 * Keyed by a thread id, or "new" for the new-chat box (its composer's focusKey); an edit box's by its thread and
 * message (editDraftKey).
 */
import { DRAFTS_STORAGE_KEY, onClientStateReset, storageOwnerNow } from "./client-state";

/** The composer's own longest message (MESSAGE_MAX, server/chat/composer-settings.ts): nothing longer can be sent. */
export const MAX_DRAFT_CHARS = 20_000;
/** Drafts kept; a new one drops the oldest. With MAX_DRAFT_CHARS, at most ~1.2 MB of the origin's ~5 MB. */
export const MAX_DRAFTS = 30;

export type Drafts = Record<string, { text: string; at: number }>;

type Entry = [key: string, draft: { text: string; at: number }];

/** The newest MAX_DRAFTS non-blank drafts, each cut to MAX_DRAFT_CHARS. */
function bounded(entries: Entry[]): Drafts {
  const kept = entries.filter(([, draft]) => draft.text.trim()).sort(([, a], [, b]) => b.at - a.at);
  return Object.fromEntries(kept.slice(0, MAX_DRAFTS).map(([key, { text, at }]) => [key, { text: text.slice(0, MAX_DRAFT_CHARS), at }]));
}

/** The drafts a stored value holds, bounded as when written: the value is the browser's, whatever put it there. */
export function parseDrafts(raw: string | null): Drafts {
  let parsed: unknown;
  try {
    parsed = raw ? JSON.parse(raw) : null;
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== "object") return {};
  const entries = Object.entries(parsed).flatMap(([key, value]): Entry[] => {
    const { text, at } = (value ?? {}) as { text?: unknown; at?: unknown };
    return typeof text === "string" && typeof at === "number" ? [[key, { text, at }]] : [];
  });
  return bounded(entries);
}

/** `drafts` with `key`'s draft set to `text` (blank removes it), bounded (see `bounded`: the oldest go first). */
export function withDraft(drafts: Drafts, key: string, text: string, at: number): Drafts {
  return bounded([...Object.entries(drafts).filter(([k]) => k !== key), [key, { text, at }]]);
}

/**
 * The last stored value read and its drafts: a long thread's messages each ask whether they have an edit draft as
 * they are drawn, and the value can be a megabyte; parsed again only when it changed. Callers never mutate drafts.
 */
let lastRead: { raw: string | null; drafts: Drafts } | null = null;
function parsedOnce(raw: string | null): Drafts {
  if (lastRead?.raw !== raw) lastRead = { raw, drafts: parseDrafts(raw) };
  return lastRead.drafts;
}

/** Storage blocked (private modes): drafts live in this tab's memory, which a reset empties. */
let inMemory: Drafts = {};
onClientStateReset(() => {
  inMemory = {};
});

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * Reads the drafts, hands them to `change`, writes what it returns. `owner` is the storage tag the text was typed
 * under: storage claimed since by another user (another tab's sign-in) or by nobody (signed out) is left alone.
 */
function update(owner: string | null, change?: (drafts: Drafts) => Drafts): Drafts {
  const storage = localStorageOrNull();
  if (!storage) return (inMemory = change ? change(inMemory) : inMemory);
  if (owner === null || storageOwnerNow() !== owner) return {};
  const drafts = parsedOnce(storage.getItem(DRAFTS_STORAGE_KEY));
  if (!change) return drafts;
  const next = change(drafts);
  try {
    if (Object.keys(next).length === 0) storage.removeItem(DRAFTS_STORAGE_KEY);
    else storage.setItem(DRAFTS_STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Storage full: this draft lives on screen only.
  }
  return next;
}

/** The tag to hand to saveDraft for what is typed now (client-state.ts): taken when typed, checked when written. */
export const draftOwner = storageOwnerNow;

export function readDraft(key: string): string {
  return update(storageOwnerNow())[key]?.text ?? "";
}

/** Keeps `text` as `key`'s draft (blank: forgets it), if the storage still belongs to `owner`. */
export function saveDraft(key: string, text: string, owner = storageOwnerNow()): void {
  update(owner, (drafts) => withDraft(drafts, key, text, Date.now()));
}

/** The draft of the box editing message `stepId` of thread `threadId` (question-edit.tsx): the thread's, like its box's. */
export function editDraftKey(threadId: string, stepId: string): string {
  return `${threadId}${EDIT_KEY_PART}${stepId}`;
}
const EDIT_KEY_PART = "/edit/";

/** Whether message `stepId` of thread `threadId` has an edit draft: its editor opens again with it. */
export function hasEditDraft(threadId: string, stepId: string): boolean {
  return readDraft(editDraftKey(threadId, stepId)) !== "";
}

/** Thread `threadId`'s drafts (it was deleted): its box's and its edit boxes'. */
export function forgetDraft(threadId: string): void {
  update(storageOwnerNow(), (drafts) => Object.fromEntries(Object.entries(drafts).filter(([key]) => key !== threadId && !key.startsWith(`${threadId}${EDIT_KEY_PART}`))));
}

/** The new-chat box's key (its composer's focusKey); thread ids are UUIDs. */
const NEW_CHAT_DRAFT = "new";

/** Every thread's drafts, edit boxes' too (all the user's threads were deleted); the new-chat box's stays. */
export function forgetThreadDrafts(): void {
  update(storageOwnerNow(), (drafts) => Object.fromEntries(Object.entries(drafts).filter(([key]) => key === NEW_CHAT_DRAFT)));
}
