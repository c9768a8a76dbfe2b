"use client";

import { formatFullDate, formatShortDateTime } from "@/lib/date-groups";
import { useNow } from "@/lib/hooks";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { api } from "@/trpc/react";
import { ExportMenu } from "./export-menu";
import { Conversation } from "./step-tree";
import { ThreadError, ThreadNotFound, ThreadSkeleton } from "./thread-states";
import type { ThreadDetail } from "./use-thread-cache";

/**
 * The thread page's client half. The server component already read the thread (to answer NOT_FOUND with a
 * proper page) and hands it over as initialData, so the first paint has the whole conversation.
 */
export function ThreadView({ threadId, initialData }: { threadId: string; initialData?: ThreadDetail }) {
  const query = api.threads.get.useQuery({ threadId }, { initialData });
  if (query.error?.data?.code === "NOT_FOUND") return <ThreadNotFound />;
  if (!query.data) return query.isError ? <ThreadError onRetry={() => void query.refetch()} /> : <ThreadSkeleton />;
  const thread = query.data;
  return (
    <article className="thread-view" aria-labelledby="thread-title">
      <ThreadHeader thread={thread} />
      <Conversation thread={thread} />
    </article>
  );
}

function ThreadHeader({ thread }: { thread: ThreadDetail }) {
  const { t, locale } = useI18n();
  const now = useNow();
  const messages = thread.steps.filter((s) => s.type === "user_message" || s.type === "assistant_message").length;
  const name = thread.name?.trim() || t.untitled;
  return (
    <header className="thread-header">
      <div className="thread-title-block">
        <h1 id="thread-title" className="thread-title" title={name}>
          {name}
        </h1>
        <p className="thread-meta">
          <time dateTime={thread.updatedAt} title={now.getTime() === 0 ? undefined : formatFullDate(thread.updatedAt, locale)}>
            {now.getTime() === 0 ? "\u00a0" : t.updated(formatShortDateTime(thread.updatedAt, now, locale))}
          </time>
          <span aria-hidden="true"> · </span>
          <span>{t.messages(messages)}</span>
        </p>
      </div>
      <div className="thread-actions-bar">
        <ExportMenu threadId={thread.id} />
      </div>
    </header>
  );
}
