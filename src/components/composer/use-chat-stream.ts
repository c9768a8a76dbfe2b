"use client";

import { useCallback, useSyncExternalStore } from "react";
import { onClientStateReset } from "@/lib/client/client-state";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { useI18n } from "@/lib/client/i18n-provider";
import type { ChatEvent } from "@/server/chat/continue-thread";
import { api } from "@/trpc/react";
import { useToast } from "@/components/ui/toast";
import type { ThreadDetail, ThreadElement, ThreadStep } from "@/trpc/use-thread-cache";

type Utils = ReturnType<typeof api.useUtils>;

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
}

export const isStreaming = (turn: ChatTurn | null | undefined) => turn?.status === "sending" || turn?.status === "streaming";

/**
 * One store for the tab, outside React: a stream outlives the component that started it (a new chat navigates to its
 * own URL mid-reply; the user may open another thread and come back), and each view subscribes to its own thread only,
 * so a token re-renders the one view that shows it.
 */
const turns = new Map<string, ChatTurn>();
const controllers = new Map<string, AbortController>();
const listeners = new Set<() => void>();
let newChatNonce = 0;
const focusRequests = new Set<string>();

// A sign-out or another user's session stops this user's replies and forgets them (lib/client-state.ts).
onClientStateReset(() => {
  controllers.forEach((controller) => controller.abort());
  controllers.clear();
  turns.clear();
  focusRequests.clear();
  newChatNonce = 0;
  emit();
});

function emit() {
  listeners.forEach((listener) => listener());
}
function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** The live turn of a thread, or null. */
export function useChatTurn(threadId: string | null): ChatTurn | null {
  return useSyncExternalStore(
    subscribe,
    () => (threadId ? (turns.get(threadId) ?? null) : null),
    () => null,
  );
}

/** Bumped by the New chat button, so the new-chat view starts over even when it is already on screen. */
export function useNewChatNonce(): number {
  return useSyncExternalStore(
    subscribe,
    () => newChatNonce,
    () => 0,
  );
}
export function requestNewChat() {
  newChatNonce++;
  focusRequests.add("new");
  emit();
}

/** A composer mounted for `key` (a thread id, or "new") takes the focus once: after New chat, or a new chat's navigation. */
export function requestComposerFocus(key: string) {
  focusRequests.add(key);
}
export function takeComposerFocus(key: string): boolean {
  return focusRequests.delete(key);
}

export function stopTurn(threadId: string) {
  controllers.get(threadId)?.abort();
}

/** sendMessage, bound to this tree's tRPC client, toasts and language. */
export function useSendMessage() {
  const utils = api.useUtils();
  const toast = useToast();
  const { t } = useI18n();
  return useCallback((input: SendInput) => sendMessage({ utils, toast, t }, input), [utils, toast, t]);
}

/**
 * The server's steps and elements of a live turn are drawn from the turn until it is removed, so never twice. The
 * turn is the message and everything nested under it (its run, the reply), even before the client knows the run's id.
 */
export type TurnIds = Pick<ChatTurn, "messageId" | "runStepId" | "assistantStepId" | "errorStepId">;
export function withoutTurn(thread: ThreadDetail, turn: TurnIds | null): ThreadDetail {
  if (!turn) return thread;
  const hidden = new Set([turn.messageId, turn.runStepId, turn.assistantStepId, turn.errorStepId].filter((id): id is string => Boolean(id)));
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

export interface SendDeps {
  utils: Utils;
  toast: (message: string) => void;
  t: Dictionary;
}

export interface SendInput {
  threadId: string;
  messageId: string;
  content: string;
  attachments: ThreadElement[];
}

/** `started` once the server has the message; otherwise the composer puts the draft back. */
export type SendOutcome = "started" | "failed" | "aborted";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A message for a send that failed before the server had it: the server's own for a refusal, else "check your connection". */
function failureMessage(error: unknown, t: Dictionary): string {
  const data = (error as { data?: { code?: string; zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null } } | null)?.data;
  const zodMessage = data?.zodError?.fieldErrors && Object.values(data.zodError.fieldErrors).flat().find(Boolean);
  if (zodMessage) return zodMessage;
  const message = error instanceof Error ? error.message : "";
  if (data?.code === "BAD_REQUEST" || data?.code === "SERVICE_UNAVAILABLE" || data?.code === "PAYLOAD_TOO_LARGE") return message || t.sendFailed;
  if (data?.code === "NOT_FOUND") return t.notFoundTitle;
  return t.sendFailed;
}

/**
 * Sends one message and streams the reply into the store. chat.send is a streaming mutation: over
 * httpBatchStreamLink, `mutate` resolves to an async iterable of the procedure's events. Aborting its signal closes
 * the request; the server then stores what it streamed, marked cancelled (continue-thread.ts).
 */
export function sendMessage(deps: SendDeps, input: SendInput): Promise<SendOutcome> {
  const { threadId, messageId } = input;
  const { utils, toast, t } = deps;
  controllers.get(threadId)?.abort();
  const controller = new AbortController();
  controllers.set(threadId, controller);

  let turn: ChatTurn = {
    ...input,
    sentAt: new Date().toISOString(),
    status: "sending",
    reply: "",
    started: false,
    runStepId: null,
    assistantStepId: null,
    errorStepId: null,
    error: null,
    threadName: null,
    assistantName: null,
    stale: false,
  };
  turns.set(threadId, turn);
  emit();

  const mine = () => turns.get(threadId)?.messageId === messageId;
  const update = (patch: Partial<ChatTurn>) => {
    turn = { ...turn, ...patch };
    if (!mine()) return;
    turns.set(threadId, turn);
    emit();
  };
  const remove = () => {
    if (!mine()) return;
    turns.delete(threadId);
    emit();
  };

  // Tokens are drawn at most once a frame: a fast model sends far more than the screen can show.
  let reply = "";
  let frame: number | null = null;
  const flush = () => {
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
    if (reply !== turn.reply) update({ reply });
  };

  return new Promise<SendOutcome>((resolve) => {
    void (async () => {
      try {
        const events: AsyncIterable<ChatEvent> = await utils.client.chat.send.mutate({ threadId, messageId, content: input.content }, { signal: controller.signal });
        for await (const event of events) {
          if (event.type === "start") {
            update({
              status: "streaming",
              started: true,
              runStepId: event.runStepId,
              assistantStepId: event.assistantStepId,
              threadName: event.threadName,
              assistantName: event.assistant.name,
            });
            resolve("started");
            // The thread moved to the top (or a new chat appeared, named after this message).
            void utils.threads.list.invalidate();
          } else if (event.type === "token") {
            reply += event.text;
            frame ??= requestAnimationFrame(flush);
          } else if (event.type === "done") {
            reply = event.output;
            flush();
            update({ status: event.cancelled ? "cancelled" : "done" });
          } else {
            flush();
            update({ status: "error", error: event.message, errorStepId: event.errorStepId });
          }
        }
        // A stream that closed without a word (a proxy cut it): handled as the failure it is.
        if (!turn.started) throw new Error("The reply stream closed before it started.");
        if (isStreaming(turn)) {
          flush();
          update({ status: controller.signal.aborted ? "cancelled" : "interrupted" });
        }
      } catch (error) {
        flush();
        if (!turn.started) {
          remove();
          if (!controller.signal.aborted) toast(failureMessage(error, t));
          resolve(controller.signal.aborted ? "aborted" : "failed");
          // The server may have stored the message before failing: show the thread as it is.
          void utils.threads.get.invalidate({ threadId });
          return;
        }
        if (controller.signal.aborted) update({ status: "cancelled" });
        else {
          update({ status: "interrupted" });
          toast(t.streamLost);
        }
      } finally {
        if (controllers.get(threadId) === controller) controllers.delete(threadId);
      }
      await settle();
    })();
  });

  /**
   * Refetches the thread until it holds the whole turn, then lets the view draw the turn from the server. After a
   * Stop the server ends the run a moment after the request closes, hence a few tries. The streamed text stays on
   * screen meanwhile, in the same place: no jump.
   */
  async function settle() {
    void utils.threads.list.invalidate();
    let fetched = false;
    for (let attempt = 0; attempt < 8 && mine(); attempt++) {
      try {
        const thread = await utils.threads.get.fetch({ threadId }, { staleTime: 0 });
        fetched = true;
        if (turnIsStored(thread, turn)) break;
      } catch {
        // Offline or the thread was deleted meanwhile: try again, then leave the turn as it is.
      }
      await sleep(150 * (attempt + 1));
    }
    if (fetched) remove();
    else update({ stale: true });
  }
}
