"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useIsApple } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import { Composer } from "@/components/composer/composer";
import { ThreadBody, ThreadHeader } from "./thread-view";
import { SparkIcon } from "@/components/ui/icons";
import { isStreaming, type ChatTurn } from "@/components/composer/chat-turn";
import { useChatTurn } from "@/components/composer/chat-turn-store";
import { requestComposerFocus, useNewChatNonce } from "@/components/composer/new-chat-state";
import type { ThreadDetail } from "@/trpc/use-thread-cache";

/**
 * /threads: a new chat. Its thread id is made in the browser when first needed; once the server has the
 * first message (the stream's `start`), the URL becomes /threads/<id> with router.replace, so Back leaves the
 * chat instead of returning to an empty one. The reply keeps streaming across that navigation (use-chat-stream).
 */
export function NewChatView() {
  // New chat while already here starts over: a fresh id, no files. The text typed stays: it is the new chat's draft
  // (composer/use-draft.ts), as it would be on coming back from another page.
  const nonce = useNewChatNonce();
  return <NewChat key={nonce} />;
}

function draftThread(threadId: string, turn: ChatTurn): ThreadDetail {
  return { id: threadId, name: turn.threadName, createdAt: turn.sentAt, updatedAt: turn.sentAt, userId: null, tags: [], steps: [], elements: [], window: { start: 0, end: 0, total: 0, messages: 0, olderCursor: null, newerCursor: null }, pass: undefined };
}

function NewChat() {
  const { t } = useI18n();
  const apple = useIsApple();
  const router = useRouter();
  const [threadId, setThreadId] = useState<string | null>(null);
  const live = useChatTurn(threadId);
  // A finished turn leaves the store as soon as the server's copy of the thread is fetched (use-chat-stream's settle),
  // which on a slow network comes before the move to the thread's own URL lands: this view draws only the turn, so
  // the finished reply vanished and the greeting came back until then. Kept once finished (not per token: a copy
  // per token would draw this view twice for each).
  const [finished, setFinished] = useState<ChatTurn | null>(null);
  if (live && !isStreaming(live) && live !== finished) setFinished(live);
  const turn = live ?? finished;
  const started = Boolean(turn?.started);

  useEffect(() => {
    if (!threadId || !started) return;
    if (document.activeElement?.closest(".composer")) requestComposerFocus(threadId);
    router.replace(`/threads/${threadId}`);
  }, [threadId, started, router]);

  const thread = useMemo(() => (threadId && turn ? draftThread(threadId, turn) : null), [threadId, turn]);

  // The composer keeps its place among the children in both states, so React keeps it (and its draft) when the
  // first message turns the greeting into a conversation, or back if that message fails.
  return (
    <article className={thread ? "thread-view" : "thread-view new-chat"} aria-labelledby={thread ? "thread-title" : "new-chat-title"}>
      {thread ? (
        <ThreadHeader thread={thread} turn={turn} draft />
      ) : (
        <header className="new-chat-hero">
          <span className="new-chat-mark" aria-hidden="true">
            <SparkIcon size={22} />
          </span>
          <h1 id="new-chat-title">{t.newChatTitle}</h1>
          <p className="muted home-desktop">{t.newChatBody}</p>
          <p className="muted home-phone">{t.newChatBodyMobile}</p>
        </header>
      )}
      {thread ? <ThreadBody thread={thread} turn={turn} /> : null}
      <div className={thread ? "composer-dock" : "composer-hero"}>
        <Composer threadId={threadId} onThreadId={setThreadId} focusKey="new" />
        {thread ? null : (
          <p className="muted home-desktop home-shortcut">
            <kbd>{apple ? "⌘" : "Ctrl"}</kbd> <kbd>K</kbd> {t.shortcutSearch} · <kbd>{apple ? "⌘" : "Ctrl"}</kbd> <kbd>/</kbd> {t.shortcutAll}
          </p>
        )}
      </div>
    </article>
  );
}
