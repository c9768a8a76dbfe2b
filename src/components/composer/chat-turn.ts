/** A turn being sent, and how it relates to the thread as the server stores it. Pure. */
import { newestTurn } from "@/lib/shared/thread/build-step-tree";
import type { ThreadDetail, ThreadElement, ThreadStep } from "@/trpc/use-thread-cache";

/**
 * The turn being sent in one thread: the user's message at once (optimistic), then the reply as it streams, until
 * `threads.get` has the stored turn (its run, ids and feedback target) and the view can draw it from there.
 *
 * `sending` until the server's `start` event, `streaming` while tokens arrive; then `done`, `cancelled` (Stop),
 * `error` (the assistant failed: the server stored an error step) or `interrupted` (the connection dropped mid-reply:
 * the server keeps what it streamed).
 */
export type TurnStatus = "sending" | "streaming" | "done" | "cancelled" | "error" | "interrupted";

export interface ChatTurn {
  threadId: string;
  messageId: string;
  content: string;
  attachments: ThreadElement[];
  sentAt: string;
  status: TurnStatus;
  reply: string;
  started: boolean;
  runStepId: string | null;
  assistantStepId: string | null;
  errorStepId: string | null;
  error: string | null;
  threadName: string | null;
  assistantName: string | null;
  /** Ended, and the refetch that should have replaced it failed: shown as it is, and a new message may be sent. */
  stale: boolean;
  /**
   * A regenerated reply (Regenerate on the newest answer): the question is the stored one, asked again, and these are
   * the steps of the reply it replaces, hidden at once as the server removes them.
   */
  replacing?: readonly string[];
}

export const isStreaming = (turn: ChatTurn | null | undefined) => turn?.status === "sending" || turn?.status === "streaming";

/**
 * The server's steps and elements of a live turn are drawn from the turn until it is removed, so never twice. The
 * turn is the message and everything nested under it (its run, the reply), even before the client knows the run's id.
 */
export type TurnIds = Pick<ChatTurn, "messageId" | "runStepId" | "assistantStepId" | "errorStepId" | "replacing">;
export function withoutTurn(thread: ThreadDetail, turn: TurnIds | null): ThreadDetail {
  if (!turn) return thread;
  const hidden = new Set([turn.messageId, turn.runStepId, turn.assistantStepId, turn.errorStepId, ...(turn.replacing ?? [])].filter((id): id is string => Boolean(id)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of thread.steps) {
      if (s.parentId && hidden.has(s.parentId) && !hidden.has(s.id)) {
        hidden.add(s.id);
        grew = true;
      }
    }
  }
  const steps = thread.steps.filter((s) => !hidden.has(s.id));
  const elements = thread.elements.filter((e) => !(e.forId && hidden.has(e.forId)));
  return steps.length === thread.steps.length && elements.length === thread.elements.length ? thread : { ...thread, steps, elements };
}

/** Whether a fetched thread holds the whole turn: the run ended (done, stopped, failed or dropped: the server ends it). */
export function turnIsStored(thread: Pick<ThreadDetail, "steps">, turn: ChatTurn): boolean {
  const byId = new Map<string, ThreadStep>(thread.steps.map((s) => [s.id, s]));
  // Never started: nothing more will come; what the server has (perhaps the message) is all there is.
  if (!turn.started || !turn.runStepId) return true;
  if (!byId.has(turn.messageId)) return false;
  if (turn.errorStepId) return byId.has(turn.errorStepId);
  return Boolean(byId.get(turn.runStepId)?.end);
}


/**
 * The name to give the cached thread when its turn starts, or null to leave it: the start event carries the name the
 * server stored with the turn (a first message names the thread; an edit of a question it is still named after renames
 * it: edit-message.ts, nameAfterEdit; a rename landing meanwhile wins there). The header and the lists show it then,
 * not once the turn is stored.
 */
export function renamedAtStart(cached: string | null | undefined, started: string | null): string | null {
  return started && started !== cached ? started : null;
}

/**
 * Whether a fetched thread's newest reply is still being written (by another tab, or a Chainlit app): its run has no
 * end yet, or its answer is still marked streaming, and the server has not said it was cut off (`window.openReply`:
 * a server that died mid-reply left it open, and nobody will end it). The server reads a reply in flight the same way
 * (server/chat/open-reply.ts).
 */
export function newestReplyOpen(thread: Pick<ThreadDetail, "steps"> & { window?: { openReply?: string } }): boolean {
  if (thread.window?.openReply === "cut-off") return false;
  return (newestTurn(thread.steps)?.reply ?? []).some((s) => (s.type === "run" && !s.end) || (s.type === "assistant_message" && s.streaming === true));
}
