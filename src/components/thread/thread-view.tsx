"use client";

import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { newestTurn } from "@/lib/shared/thread/build-step-tree";
import { formatFullDate, machineDateTime } from "@/lib/shared/date-groups";
import { useNow } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import { Composer } from "@/components/composer/composer";
import { ExportMenu } from "./header/export-menu";
import { ShareButton } from "@/components/share/share-button";
import { PinButton } from "@/components/threads/pin-button";
import { AnswerActionContext, AssistantMessage, ErrorLabel, UserMessage, type AnswerAction } from "./message";
import { Conversation } from "./step-tree";
import { ThreadError, ThreadNotFound, ThreadSkeleton } from "./thread-states";
import { ThreadTitle } from "./header/thread-title";
import { ThreadTags } from "./header/thread-tags";
import { updatedLabel } from "./header/updated-label";
import { ChevronDownIcon, SparkIcon } from "@/components/ui/icons";
import { isStreaming, withoutTurn, type ChatTurn } from "@/components/composer/chat-turn";
import { useChatTurn } from "@/components/composer/chat-turn-store";
import { useSendMessage, type SendInput } from "@/components/composer/use-chat-stream";
import type { ThreadDetail, ThreadElement, ThreadStep } from "@/trpc/use-thread-cache";
import { useNearView, useThreadWindow } from "./window/use-thread-window";
import { QuestionEditContext } from "./question-edit";
import { useQuestionEdit } from "./use-question-edit";
import { PrerenderedContext, prerenderedTexts } from "./markdown/lazy-markdown";

/** How often a reply being written elsewhere is read again (not while the tab is hidden: react-query's default). */
const OPEN_REPLY_LOOK_MS = 4_000;

/**
 * The thread page's client half. The server component already read the thread (to answer NOT_FOUND with a
 * proper page) and hands over its latest turns as initialData, so the first paint has them; older turns load as the
 * reader scrolls up (use-thread-window.ts, docs/long-threads.md).
 */
export function ThreadView({
  threadId,
  initialData,
  serverUpdated,
  prerendered,
}: {
  threadId: string;
  initialData?: ThreadDetail;
  /** The header's "Updated …" as the server wrote it (its clock and zone): shown until the browser's clock is known. */
  serverUpdated?: string;
  /** The initial turns' Markdown, rendered on the server (prerender-steps.tsx), by step field. */
  prerendered?: Record<string, ReactNode>;
}) {
  const turn = useChatTurn(threadId);
  // A reply being written elsewhere (another tab, a Chainlit app): looked at again until it ends or is cut off, so it
  // grows here and then offers its actions, where it used to stay as first read until a reload.
  const query = api.threads.get.useQuery({ threadId }, { initialData, refetchInterval: (q) => (!turn && q.state.data?.window.openReply === "writing" ? OPEN_REPLY_LOOK_MS : false) });
  // Fixed for the page's life: what the server rendered, with the text it rendered it from.
  const [prerenderedSteps] = useState(() => prerenderedTexts(prerendered, initialData?.steps));
  const articleRef = useRef<HTMLElement>(null);
  const view = useThreadWindow(threadId, query.data, articleRef);
  // Sending from an older block (opened by a link): the new turn goes at the end, so the view goes there.
  const { latest, jumpToLatest } = view;
  const sending = turn?.messageId ?? null;
  useEffect(() => {
    if (sending && !latest) jumpToLatest();
  }, [sending, latest, jumpToLatest]);
  if (query.error?.data?.code === "NOT_FOUND") return <ThreadNotFound />;
  if (!query.data) return query.isError ? <ThreadError onRetry={() => void query.refetch()} /> : <ThreadSkeleton />;
  const thread = query.data;
  return (
    <PrerenderedContext.Provider value={prerenderedSteps}>
      <article ref={articleRef} className="thread-view" aria-labelledby="thread-title">
        <ThreadHeader thread={thread} turn={turn} serverUpdated={serverUpdated} />
        <ThreadBody thread={thread} turn={turn} view={view} />
        <div className="composer-dock">
          {view.showJump ? <JumpToLatest onClick={view.jumpToLatest} /> : null}
          <Composer threadId={threadId} focusKey={threadId} />
        </div>
      </article>
    </PrerenderedContext.Provider>
  );
}

function JumpToLatest({ onClick }: { onClick: () => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="btn btn-sm jump-to-latest" data-testid="jump-to-latest" onClick={onClick}>
      <ChevronDownIcon size={14} />
      {t.jumpToLatest}
    </button>
  );
}

const MESSAGE_TYPES = new Set(["user_message", "assistant_message"]);

/**
 * `draft`: a new chat not stored yet (no export). The turn in flight counts in the message total.
 * `serverUpdated`: the "Updated …" text the server wrote. Until the browser's clock is known (hydration) that text
 * stays as it is rather than being formatted again: building the first Intl.DateTimeFormat of a page costs ~100 ms
 * of main thread, which would otherwise be paid before the newest turn answers a click (docs/long-threads.md, "Header").
 */
export function ThreadHeader({ thread, turn, draft, serverUpdated }: { thread: ThreadDetail; turn?: ChatTurn | null; draft?: boolean; serverUpdated?: string }) {
  const { t, locale } = useI18n();
  const now = useNow();
  const hydrating = now.getTime() === 0;
  const visible = withoutTurn(thread, turn ?? null);
  const pending = turn ? 1 + (turn.reply || isStreaming(turn) ? 1 : 0) + (turn.status === "error" ? 1 : 0) : 0;
  // The whole thread's count (the server's), less the stored copy of the turn in flight, which is counted as pending.
  const countMessages = (steps: readonly ThreadStep[]) => steps.filter((s) => MESSAGE_TYPES.has(s.type ?? "")).length;
  const messages = thread.window.messages - (countMessages(thread.steps) - countMessages(visible.steps)) + pending;
  const name = thread.name?.trim() || turn?.threadName || (draft ? t.newChat : t.untitled);
  return (
    <header className="thread-header">
      <ThreadTitle name={name} after={draft ? null : <ThreadTags threadId={thread.id} tags={(thread.tags ?? []).filter((tag) => typeof tag === "string")} />}>
        {/* The server writes it in its own time zone; the browser's replaces it at hydration. */}
        <time dateTime={machineDateTime(thread.updatedAt)} title={hydrating ? undefined : formatFullDate(thread.updatedAt, locale)} suppressHydrationWarning>
          {hydrating ? (serverUpdated ?? "\u00a0") : updatedLabel(t, thread.updatedAt, now, locale)}
        </time>
        <span aria-hidden="true"> · </span>
        <span>{t.messages(messages)}</span>
      </ThreadTitle>
      {draft ? null : (
        <div className="thread-actions-bar">
          <PinButton thread={{ id: thread.id, name: thread.name ?? null, createdAt: thread.createdAt, updatedAt: thread.updatedAt }} />
          <ShareButton threadId={thread.id} />
          <ExportMenu threadId={thread.id} />
        </div>
      )}
    </header>
  );
}

/**
 * What the thread's newest answer offers (newestTurn: the same reading of the thread the server makes): a failed one
 * Retry, a real one Regenerate. Both ask the same question again (chat.regenerate) and the new reply takes the whole old
 * one's place (its run, partial text, tool steps, error step): the question stays once. A reply that stopped short with
 * no error step says so and offers Retry too: its run marked failed, or left open by a server that died mid-reply
 * (`openReply` "cut-off", the server's word: server/chat/open-reply.ts); a reply with no answer at all names its run,
 * as the server takes it. A reply still being written (open, and not cut off) offers nothing. Null when none applies.
 */
function lastAnswer(
  steps: readonly ThreadStep[],
  elements: readonly ThreadElement[],
  openReply: "writing" | "cut-off" | undefined,
): Omit<SendInput, "threadId"> & { stepId: string; failed: boolean } | null {
  const newest = newestTurn(steps);
  if (!newest) return null;
  const { question, reply, answer } = newest;
  const open = reply.some((s) => (s.type === "run" && !s.end) || (s.type === "assistant_message" && s.streaming === true));
  if (open && openReply !== "cut-off") return null;
  const run = reply.find((s) => s.type === "run");
  const target = answer ?? run;
  if (!target) return null;
  const failed = target.isError === true || run?.isError === true || open;
  // A failure offers Retry only where it ended the reply: an error step with more after it is not the reply's end.
  if (answer?.isError && reply.at(-1) !== answer) return null;
  const content = (question.output ?? question.input ?? "").trim();
  const attachments = elements.filter((e) => e.forId === question.id);
  const rewrite = { via: failed ? ("retry" as const) : ("regenerate" as const), stepId: target.id, replacing: reply.map((s) => s.id), askedAt: question.createdAt ?? question.start ?? new Date().toISOString() };
  return { stepId: target.id, failed, messageId: question.id, content, attachments, rewrite };
}

/**
 * The stored conversation, then the turn in flight drawn from the stream. The stored copy of that turn (the
 * server writes it as it goes) stays hidden until the turn is handed over, so it never shows twice, and the
 * streamed text stays where it is until the refetch that replaces it has landed.
 */
export function ThreadBody({ thread, turn, view }: { thread: ThreadDetail; turn: ChatTurn | null; view?: ThreadWindowView }) {
  const send = useSendMessage();
  const messageId = turn?.messageId ?? null;
  const runStepId = turn?.runStepId ?? null;
  const assistantStepId = turn?.assistantStepId ?? null;
  const errorStepId = turn?.errorStepId ?? null;
  const replacing = turn?.replacing;
  const ids = useMemo(() => (messageId ? { messageId, runStepId, assistantStepId, errorStepId, replacing } : null), [messageId, runStepId, assistantStepId, errorStepId, replacing]);
  const visible = useMemo(() => withoutTurn(thread, ids), [thread, ids]);
  // Tokens re-render this body many times a second: the stored conversation is not drawn again for them.
  const olderRef = useRef<HTMLDivElement>(null);
  const newerRef = useRef<HTMLDivElement>(null);
  useNearView(olderRef, view?.loadOlder ?? noop, view?.olderCursor ?? null);
  useNearView(newerRef, view?.loadNewer ?? noop, view?.newerCursor ?? null);
  const loading = view?.loading ?? null;
  const failed = view?.failed ?? false;
  const hasOlder = Boolean(view?.olderCursor);
  const hasNewer = Boolean(view?.newerCursor);
  const drawHeld = view ? view.olderDrawn : true;
  const conversation = useMemo(
    () => (
      <Conversation
        thread={visible}
        drawHeld={drawHeld}
        before={hasOlder ? <PageEdge edgeRef={olderRef} loading={loading === "older"} failed={failed} testId="older-turns" /> : null}
        after={hasNewer ? <PageEdge edgeRef={newerRef} loading={loading === "newer"} failed={failed} testId="newer-turns" /> : null}
      />
    ),
    [visible, hasOlder, hasNewer, loading, failed, drawHeld],
  );
  const showConversation = !turn || visible.steps.length > 0 || visible.elements.length > 0;

  // Only a block that ends at the newest turn knows the thread's last answer.
  const latest = thread.window.newerCursor === null;
  const openReply = thread.window.openReply;
  const stored = useMemo(() => (latest ? lastAnswer(thread.steps, thread.elements, openReply) : null), [thread.steps, thread.elements, latest, openReply]);
  // The turn that just failed, before the refetch hands it over: its Retry in place (disabled while the turn is
  // live, as every action is), so nothing moves when the stored one takes over.
  const pendingFailure = useMemo(() => (turn?.status === "error" && turn.errorStepId ? failedTurn(turn, turn.errorStepId) : null), [turn]);
  // While a turn is in flight the stored answer is not the newest: it offers nothing (a failed turn offers its Retry).
  const target = pendingFailure ?? (turn ? null : stored);
  const threadId = thread.id;
  const busy = turn !== null;
  const action = useMemo<AnswerAction | null>(() => {
    if (!target) return null;
    const { stepId, failed, ...input } = target;
    return { stepId, kind: failed ? "retry" : "regenerate", disabled: busy, run: () => void send({ threadId, ...input }) };
  }, [target, busy, send, threadId]);

  const edit = useQuestionEdit(thread, latest, busy, messageId);

  const pendingRef = useRef<HTMLDivElement>(null);
  useStickToBottom(pendingRef, messageId);

  return (
    <AnswerActionContext.Provider value={action}>
      <QuestionEditContext.Provider value={edit}>
        {showConversation ? conversation : null}
        {turn ? (
          <div ref={pendingRef} className="conversation conversation-pending" data-testid="pending-turn">
            <PendingTurn turn={turn} />
          </div>
        ) : null}
      </QuestionEditContext.Provider>
    </AnswerActionContext.Provider>
  );
}

/** A failed turn's Retry, as lastAnswer gives it once the turn is stored: its question asked again, its reply replaced. */
function failedTurn(turn: ChatTurn, errorStepId: string): ReturnType<typeof lastAnswer> {
  const replacing = [turn.runStepId, turn.assistantStepId, errorStepId].filter((id): id is string => Boolean(id));
  const rewrite = { via: "retry" as const, stepId: errorStepId, replacing, askedAt: turn.sentAt };
  return { stepId: errorStepId, failed: true, messageId: turn.messageId, content: turn.content, attachments: turn.attachments, rewrite };
}

const noop = () => undefined;
type ThreadWindowView = ReturnType<typeof useThreadWindow>;

/** Where more turns load (a screen before it comes into view); says so while they do, or that they could not. */
function PageEdge({ edgeRef, loading, failed, testId }: { edgeRef: React.RefObject<HTMLDivElement | null>; loading: boolean; failed: boolean; testId: string }) {
  const { t } = useI18n();
  return (
    <div ref={edgeRef} className="page-edge muted" data-testid={testId} aria-live="polite">
      {loading ? t.loadingTurns : failed ? t.turnsFailed : null}
    </div>
  );
}

/** The turn in flight, drawn with the same components as a stored one, so the hand-over changes nothing on screen. */
function PendingTurn({ turn }: { turn: ChatTurn }) {
  const { t } = useI18n();
  const streaming = isStreaming(turn);
  const { threadId, messageId, sentAt } = turn;
  const userStep = useMemo<ThreadStep>(() => ({ id: messageId, threadId, type: "user_message", output: turn.content, createdAt: sentAt }), [messageId, threadId, turn.content, sentAt]);
  const reply: ThreadStep = {
    id: turn.assistantStepId ?? `${messageId}:reply`,
    threadId,
    type: "assistant_message",
    output: turn.reply,
    createdAt: sentAt,
    metadata: turn.status === "cancelled" || turn.status === "interrupted" ? { cancelled: true } : null,
  };
  const showReply = streaming || turn.reply !== "";
  const error: ThreadStep | null =
    turn.status === "error" ? { id: turn.errorStepId ?? `${messageId}:error`, threadId, type: "assistant_message", name: "Error", isError: true, output: turn.error, createdAt: sentAt } : null;
  return (
    <>
      <UserMessage threadId={threadId} step={userStep} elements={turn.attachments} />
      <div className="turn turn-assistant">
        <div className="avatar avatar-assistant" aria-hidden="true">
          <SparkIcon size={16} />
        </div>
        {/* Read out once the reply is complete (aria-busy), not token by token. */}
        <div className="turn-content" aria-live="polite" aria-busy={streaming}>
          {/* As the stored run will draw it (step-tree): its Error label first, then its messages. */}
          {turn.status === "error" ? <ErrorLabel /> : null}
          {showReply ? <AssistantMessage threadId={threadId} step={reply} elements={[]} streaming={streaming} /> : null}
          {error ? <AssistantMessage threadId={threadId} step={error} elements={[]} /> : null}
          {!showReply && !error && turn.status !== "done" ? <p className="muted stopped-note">{t.stoppedBeforeReply}</p> : null}
        </div>
      </div>
    </>
  );
}

/**
 * Keeps the newest text in view while a turn streams, as long as the reader stays at the bottom: scrolling up
 * to read something earlier stops the following, scrolling back down resumes it. A new turn starts at the bottom.
 */
function useStickToBottom(target: React.RefObject<HTMLElement | null>, turnKey: string | null) {
  useEffect(() => {
    const element = target.current;
    if (!turnKey || !element) return;
    const scroller = element.closest<HTMLElement>(".main-pane") ?? (document.scrollingElement as HTMLElement | null);
    if (!scroller) return;
    let following = true;
    let lastTop = scroller.scrollTop;
    // Only the reader moves the view up; growing text and our own scrolls never do (a scroll event can arrive
    // after the next chunk has grown the page, so "far from the bottom" alone would stop the following).
    const onScroll = () => {
      const top = scroller.scrollTop;
      if (top < lastTop - 2) following = false;
      if (scroller.scrollHeight - top - scroller.clientHeight < 96) following = true;
      lastTop = top;
    };
    const follow = () => {
      if (following) scroller.scrollTop = scroller.scrollHeight;
    };
    follow();
    scroller.addEventListener("scroll", onScroll, { passive: true });
    const observer = new ResizeObserver(follow);
    observer.observe(element);
    return () => {
      scroller.removeEventListener("scroll", onScroll);
      observer.disconnect();
    };
  }, [target, turnKey]);
}
