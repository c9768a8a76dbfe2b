"use client";

/** Sending a message: the optimistic turn, the streamed reply, then the refetch that hands the turn to the stored thread. */
import { useCallback } from "react";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { readRefusal } from "@/lib/shared/refusal";
import { asReplacement } from "@/lib/shared/thread/thread-window-merge";
import type { ChatEvent } from "@/trpc/router-types";
import { useToast } from "@/components/ui/toast";
import { useThreadCache, type ThreadElement } from "@/trpc/use-thread-cache";
import { isStreaming, renamedAtStart, turnIsStored, type ChatTurn } from "./chat-turn";
import { chatTurns } from "./chat-turn-store";
import { stopWatchingBusy, watchBusyThread } from "./busy-thread";

type Utils = ReturnType<typeof api.useUtils>;

/** sendMessage, bound to this tree's tRPC client, toasts and language. */
export function useSendMessage() {
  const utils = api.useUtils();
  const toast = useToast();
  const { t } = useI18n();
  const { renameInLists } = useThreadCache();
  return useCallback((input: SendInput) => sendMessage({ utils, toast, t, rename: renameInLists }, input), [utils, toast, t, renameInLists]);
}

export interface SendDeps {
  utils: Utils;
  toast: (message: string) => void;
  t: Dictionary;
  /** Names the thread in every cached list and in its own cache (use-thread-cache.ts, renameInLists). */
  rename: (threadId: string, name: string) => void;
}

export interface SendInput {
  threadId: string;
  messageId: string;
  content: string;
  attachments: ThreadElement[];
  /**
   * A rewrite instead of a send: `messageId` is a stored question, asked again as it was (chat.regenerate, `stepId`
   * the newest answer it replaces: Regenerate, or Retry on a failed one) or with the new `content` (chat.edit, `stepId` the question itself); `replacing`
   * the steps that go (the old reply, and after an edit every later turn), hidden while the new reply streams. The same
   * turn, stream and hand-over as a sent message.
   */
  rewrite?: Rewrite;
}

export interface Rewrite {
  /** "retry" is a regenerate of a failed answer: the same request, worded as a retry when refused. */
  via: "regenerate" | "retry" | "edit";
  stepId: string;
  replacing: readonly string[];
  askedAt: string;
}

/** `started` once the server has the message (or had it already); otherwise the composer puts the draft back. */
export type SendOutcome = "started" | "failed" | "aborted";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const errorCode = (error: unknown) => (error as { data?: { code?: string } | null } | null)?.data?.code;
const refusalOf = (error: unknown) => (error as { data?: { refusal?: unknown } | null } | null)?.data?.refusal;

/**
 * The message was stored by an earlier send of it (whose answer never reached this tab) and a later message followed
 * it: it is in the thread, so the composer lets it go (its text and files) as if this send had started.
 */
const alreadySent = (error: unknown) => readRefusal(refusalOf(error))?.code === "message-already-sent";

/** How long a failed send waits to learn whether the server stored its message anyway, before putting the draft back. */
const DELIVERY_CHECK_MS = 4_000;

/**
 * Whether the thread holds the message: a send whose connection went before any answer may have been stored (and
 * answered) by the server. Then it was delivered: the box lets it go, and the thread shows it. Kept in the box
 * instead, under the same id (composer.tsx), a changed text sent next would be taken as an edit of the stored question
 * and replace its turn (chat/regenerate-reply.ts, resendMessage). False when the thread cannot be read in time.
 */
async function holdsMessage(utils: SendDeps["utils"], threadId: string, messageId: string): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), DELIVERY_CHECK_MS)));
  try {
    const thread = await Promise.race([utils.threads.get.fetch({ threadId }, { staleTime: 0 }), late]);
    return thread?.steps.some((step) => step.id === messageId) ?? false;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** A message for a send that failed before the server had it: the server's own for a refusal, else "check your connection". */
function failureMessage(error: unknown, t: Dictionary, rewrite: Rewrite | undefined): string {
  const data = (error as { data?: { code?: string; zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null } } | null)?.data;
  const zodMessage = data?.zodError?.fieldErrors && Object.values(data.zodError.fieldErrors).flat().find(Boolean);
  if (zodMessage) return zodMessage;
  const refused = refusalMessage(t, refusalOf(error));
  if (refused) return refused;
  // The thread changed meanwhile (another tab answered, regenerated or edited): the refetch below shows how.
  if (rewrite && (data?.code === "BAD_REQUEST" || data?.code === "CONFLICT" || data?.code === "NOT_FOUND")) return rewrite.via === "edit" ? t.editRefused : rewrite.via === "retry" ? t.retryRefused : t.regenerateRefused;
  const message = error instanceof Error ? error.message : "";
  if (data?.code === "BAD_REQUEST" || data?.code === "SERVICE_UNAVAILABLE" || data?.code === "PAYLOAD_TOO_LARGE") return message || t.sendFailed;
  if (data?.code === "NOT_FOUND") return t.notFoundTitle;
  if (data?.code === "TOO_MANY_REQUESTS") return t.sendTooFast;
  // Another tab (or window) is writing this thread: a reply there is streaming, or a message is being edited.
  if (data?.code === "CONFLICT") return t.sendWhileBusy;
  return t.sendFailed;
}

/**
 * Sends one message and streams the reply into the store. chat.send is a streaming mutation: over
 * httpBatchStreamLink, `mutate` resolves to an async iterable of the procedure's events. Aborting its signal closes
 * the request; the server then stores what it streamed, marked cancelled (continue-thread.ts).
 */
export function sendMessage(deps: SendDeps, input: SendInput): Promise<SendOutcome> {
  const { threadId, messageId, rewrite } = input;
  const { utils, toast, t, rename } = deps;
  const controller = chatTurns.begin(threadId);

  let turn: ChatTurn = {
    threadId,
    messageId,
    content: input.content,
    attachments: input.attachments,
    replacing: rewrite?.replacing,
    sentAt: rewrite?.askedAt ?? new Date().toISOString(),
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
  chatTurns.set(threadId, turn);

  const mine = () => chatTurns.get(threadId)?.messageId === messageId;
  const update = (patch: Partial<ChatTurn>) => {
    turn = { ...turn, ...patch };
    if (mine()) chatTurns.set(threadId, turn);
  };
  const remove = () => {
    if (mine()) chatTurns.delete(threadId);
  };

  // Tokens are drawn at most once a frame: a fast model sends far more than the screen can show.
  let reply = "";
  let frame: number | null = null;
  const flush = () => {
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
    if (reply !== turn.reply) update({ reply });
  };

  let replaced = false;
  return new Promise<SendOutcome>((resolve) => {
    void (async () => {
      try {
        const options = { signal: controller.signal };
        const events: AsyncIterable<ChatEvent> =
          rewrite && rewrite.via !== "edit"
            ? await utils.client.chat.regenerate.mutate({ threadId, stepId: rewrite.stepId }, options)
            : rewrite?.via === "edit"
              ? await utils.client.chat.edit.mutate({ threadId, stepId: rewrite.stepId, content: input.content }, options)
              : await utils.client.chat.send.mutate({ threadId, messageId, content: input.content }, options);
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
            // This tab writes the thread now: a watch of another tab's reply (busy-thread.ts) has nothing left to say.
            stopWatchingBusy(threadId);
            // The name stored with the turn (an edit of the first question renames the thread) shows now, in the
            // header and the sidebar, rather than the cached one until the turn is stored.
            const renamed = renamedAtStart(utils.threads.get.getData({ threadId })?.name, event.threadName);
            if (renamed) rename(threadId, renamed);
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
          const aborted = controller.signal.aborted;
          // No answer from the server at all (the connection went): it may have stored the message all the same.
          const delivered = !aborted && !rewrite && errorCode(error) === undefined && (await holdsMessage(utils, threadId, messageId));
          if (!aborted && !delivered) toast(failureMessage(error, t, rewrite));
          // Another tab is writing this thread: follow its turn here, and say when this message can be sent.
          if (!aborted && !rewrite && errorCode(error) === "CONFLICT") void watchBusyThread(deps, threadId);
          resolve(aborted ? "aborted" : delivered || alreadySent(error) ? "started" : "failed");
          // The server may have stored the message before failing: show the thread as it is.
          void utils.threads.get.invalidate({ threadId });
          return;
        }
        if (controller.signal.aborted) update({ status: "cancelled" });
        else {
          update({ status: "interrupted" });
          // Another request took the thread over and replaced this reply (chat/reply-guard.ts): the stored thread, with
          // the new reply, is shown as soon as it is read; this turn will never be stored.
          replaced = readRefusal(refusalOf(error))?.code === "reply-replaced";
          toast(replaced ? t.replyReplaced : t.streamLost);
        }
      } finally {
        chatTurns.end(threadId, controller);
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
        if (replaced || turnIsStored(thread, turn)) break;
      } catch {
        // Offline or the thread was deleted meanwhile: try again, then leave the turn as it is.
      }
      await sleep(150 * (attempt + 1));
    }
    if (fetched) {
      if (rewrite) dropReplaced(rewrite.replacing);
      remove();
    } else update({ stale: true });
  }

  /**
   * The refetch is merged into the block of turns the cache holds, which keeps the steps it lacks (older pages). It
   * drops what the server removed between the turns it holds, but not what lay beyond them: the replaced steps and
   * their files are taken out here, in the same render as the hand-over.
   */
  function dropReplaced(replacing: readonly string[]) {
    const gone = new Set(replacing);
    utils.threads.get.setData({ threadId }, (data) =>
      data ? asReplacement({ ...data, steps: data.steps.filter((s) => !gone.has(s.id)), elements: data.elements.filter((e) => !(e.forId && gone.has(e.forId))) }) : data,
    );
  }
}
