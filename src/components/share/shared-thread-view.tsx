"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { api } from "@/trpc/react";
import { ReadOnlyThreadProvider, type ReadOnlyThread } from "@/components/thread/read-only-thread";
import { PrerenderedContext, prerenderedTexts } from "@/components/thread/markdown/lazy-markdown";
import { Conversation } from "@/components/thread/step-tree";
import { ThreadTitle } from "@/components/thread/header/thread-title";
import { MessageIcon } from "@/components/ui/icons";
import { LocalTime } from "@/components/ui/local-time";
import { useToast } from "@/components/ui/toast";
import type { ThreadDetail } from "@/trpc/use-thread-cache";
import { useNearView } from "@/components/thread/window/use-thread-window";
import { useSharedWindow } from "./use-shared-window";

/** What the share page hands over, and each page of share.turns (server/share/shared-thread.ts, sharedWindow). */
export type SharedThreadData = ThreadDetail & { share: { sharedAt: string; ownerName: string | null; access: string; expiresAt: string | null } };

/**
 * A shared thread, read-only: the same conversation components as the owner's view, without composer, feedback or
 * rename, with download links re-signed through the share. A signed-in viewer can continue it in their own history.
 * A long share opens at its first turns and brings the rest as the reader goes (use-shared-window.ts).
 */
export function SharedThreadView({ thread: initial, signedIn, prerendered }: { thread: SharedThreadData; signedIn: boolean; prerendered?: Record<string, ReactNode> }) {
  const { t } = useI18n();
  // Fixed for the page's life, as on the thread page.
  const [prerenderedSteps] = useState(() => prerenderedTexts(prerendered, initial.steps));
  const articleRef = useRef<HTMLElement>(null);
  const view = useSharedWindow(initial, articleRef);
  const thread = view.block;
  const utils = api.useUtils();
  const threadId = thread.id;
  const readOnly = useMemo<ReadOnlyThread>(
    () => ({
      resign: (elementId) => utils.share.elementUrl.fetch({ threadId, elementId }, { staleTime: 0, gcTime: 0 }),
      preview: (elementId) => utils.client.share.elementPreview.mutate({ threadId, elementId }),
    }),
    [utils, threadId],
  );
  const name = thread.name?.trim() || t.untitled;
  return (
    <article ref={articleRef} className="thread-view shared-thread" aria-labelledby="thread-title" data-testid="shared-thread">
      <div className="share-page-bar">
        <span className="share-badge">{t.readOnlyBadge}</span>
        {/* The share's print view (app/(print)/share), in a new tab, its print dialog opened once it has loaded. */}
        <a className="share-print" href={`/share/${encodeURIComponent(threadId)}/print?print=1`} target="_blank" rel="noopener">
          {t.exportPrint}
        </a>
        {signedIn ? <ContinueButton threadId={threadId} /> : <Link href={`/sign-in?callbackUrl=${encodeURIComponent(`/share/${encodeURIComponent(threadId)}`)}`}>{t.signInToContinue}</Link>}
      </div>
      <header className="thread-header">
        <ThreadTitle name={name}>
          {thread.share.ownerName ? <span>{t.sharedBy(thread.share.ownerName)} · </span> : null}
          <LocalTime value={thread.share.sharedAt} sentence="sharedSnapshot" />
        </ThreadTitle>
      </header>
      <ReadOnlyThreadProvider value={readOnly}>
        <PrerenderedContext.Provider value={prerenderedSteps}>
          <Conversation
            thread={thread}
            before={thread.window.olderCursor ? <ShareEdge kind="older" view={view} /> : null}
            after={thread.window.newerCursor ? <ShareEdge kind="newer" view={view} /> : null}
          />
        </PrerenderedContext.Provider>
      </ReadOnlyThreadProvider>
    </article>
  );
}

/**
 * Where more turns load: a screen before it comes into view, or with its button (no scrolling needed, and a keyboard
 * reaches it). Says so while they load, or that they could not.
 */
function ShareEdge({ kind, view }: { kind: "older" | "newer"; view: ReturnType<typeof useSharedWindow<SharedThreadData>> }) {
  const { t } = useI18n();
  const edgeRef = useRef<HTMLDivElement>(null);
  const load = kind === "older" ? view.loadOlder : view.loadNewer;
  useNearView(edgeRef, load, kind === "older" ? view.block.window.olderCursor : view.block.window.newerCursor);
  const loading = view.loading === kind;
  return (
    <div ref={edgeRef} className="page-edge share-page-edge muted" data-testid={`${kind}-turns`} aria-live="polite">
      {loading ? (
        t.loadingMoreTurns
      ) : (
        <>
          {view.failed ? <span>{t.turnsFailed} </span> : null}
          <button type="button" className="btn btn-sm" disabled={view.loading !== null} onClick={load}>
            {t.showMoreTurns}
          </button>
        </>
      )}
    </div>
  );
}

/** Copies the snapshot into the viewer's history and opens it there, composer and all. */
function ContinueButton({ threadId }: { threadId: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const router = useRouter();
  const copy = api.share.continue.useMutation({
    onSuccess: ({ id }) => router.push(`/threads/${encodeURIComponent(id)}`),
    // Refused for a limit: the day's upload budget in the reader's words, else the address's rate.
    onError: (error) => toast(refusalMessage(t, error.data?.refusal) ?? (error.data?.code === "TOO_MANY_REQUESTS" ? t.shareRateLimited : t.continueFailed)),
  });
  return (
    <button type="button" className="btn btn-primary btn-sm" disabled={copy.isPending || copy.isSuccess} aria-busy={copy.isPending || undefined} onClick={() => copy.mutate({ threadId })}>
      {t.continueInHistory}
    </button>
  );
}

export function ShareNotFound() {
  const { t } = useI18n();
  return (
    <div className="page-state" data-testid="share-not-found">
      <MessageIcon size={32} className="page-state-icon" />
      <h1>{t.shareNotFoundTitle}</h1>
      <p className="muted">{t.shareNotFoundBody}</p>
    </div>
  );
}

