"use client";

import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { randomId } from "@/lib/client/transfers/upload";
import { api } from "@/trpc/react";
import { AttachButton, AttachmentList, useAttachments } from "./attachment-picker";
import { useComposerSettings } from "./composer-settings";
import { ArrowUpIcon, StopIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";
import { isStreaming } from "./chat-turn";
import { stopTurn, useChatTurn } from "./chat-turn-store";
import { stopWatchingBusy, useWatchingBusy } from "./busy-thread";
import { refusedAsTooFast, takeComposerFocus } from "./new-chat-state";
import { useSendMessage } from "./use-chat-stream";
import { useDraft } from "./use-draft";
import { BOX_READY_ATTRIBUTE, EARLY_SEND_BOX, SEND_PENDING_ATTRIBUTE, sendsMessage } from "@/lib/shared/early-scripts/send-key";

interface MadeThread {
  threadId: string | null;
  sendTried: boolean;
  utils: ReturnType<typeof api.useUtils>;
}

/** A new chat left with files but no message: the empty thread made for them would sit in the list as "Untitled". */
async function deleteEmptyThread(state: MadeThread) {
  if (!state.threadId || state.sendTried) return;
  try {
    await state.utils.client.threads.delete.mutate({ threadId: state.threadId });
    await state.utils.threads.list.invalidate();
  } catch {
    // Offline, or already gone: it stays as an empty thread the user can delete.
  }
}

/** The textarea grows with its text up to this height, then scrolls. */
const MAX_TEXTAREA_PX = 240;

interface ComposerProps {
  /** Null for a new chat: the server makes its thread on first use (a file picked, or Send), reported through onThreadId. */
  threadId: string | null;
  onThreadId?: (threadId: string) => void;
  /** Which focus request this composer answers (requestComposerFocus): its thread id, or "new". */
  focusKey: string;
}

/**
 * Where a message is written: Enter sends, Shift+Enter breaks the line, and nothing is sent mid-composition
 * (IME). Files upload the moment they are picked or dropped, for the message being written, so Send only waits for
 * the ones still on their way. While a reply streams, Send becomes Stop; the text box stays editable for the next
 * message. A send that fails before the server has it puts the text and files back. The text typed is kept as the box's
 * draft in browser storage (use-draft.ts) until the server has the message: a reload or signing in again gives it back.
 */
export function Composer({ threadId, onThreadId, focusKey }: ComposerProps) {
  const { t } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const send = useSendMessage();
  // From the signed-in layout (composer-settings.tsx): in the first paint, and never asked for.
  const settings = useComposerSettings();
  const turn = useChatTurn(threadId);
  const streaming = isStreaming(turn);
  // The previous turn is still being stored (a moment after it ends): the next message waits for it.
  const blocked = turn !== null && !turn.stale;
  // A send was refused: another tab is writing this thread, and this one follows it (busy-thread.ts).
  const waitingForOtherTab = useWatchingBusy(threadId);
  // Left (another thread, a sign-out): the watch ends with the box, so nothing is said about a thread out of view.
  useEffect(() => {
    if (threadId) return () => stopWatchingBusy(threadId);
  }, [threadId]);

  const [text, setText] = useState("");
  const latestText = useRef("");
  const [queued, setQueued] = useState(false);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const mounted = useRef(true);
  /** `sent`: the text last sent under `messageId` when that send failed and the box took it back (below). */
  const ids = useRef<{ threadId: string | null; messageId: string | null; sent: string | null }>({ threadId: null, messageId: null, sent: null });
  // A new chat's thread, made on the server (threads.create) for its first file or message; the server picks its id.
  const made = useRef<MadeThread & { creating: Promise<string> | null }>({
    threadId: null,
    creating: null,
    sendTried: false,
    utils,
  });
  const inputId = useId();
  const hintId = useId();

  const changeText = (value: string) => {
    latestText.current = value;
    setText(value);
  };
  // Restored only into an empty box: what was typed before the draft was read stays.
  const draft = useDraft(focusKey, (stored) => {
    if (!latestText.current) changeText(stored);
  });
  // What the box shows before the app runs was typed while the page loaded, by whoever is at the keyboard (the
  // browser never refills it: autoComplete="off" below). Taken as the box's text (and draft) the moment the app
  // hydrates, so Send is enabled at once; the stored draft, read after, does not replace it.
  const typedBeforeHydration = useRef(false);
  useLayoutEffect(() => {
    const box = textarea.current;
    if (!box) return;
    if (box.value && !latestText.current) {
      typedBeforeHydration.current = true;
      changeText(box.value);
      draft.typed(box.value);
    }
    box.setAttribute(BOX_READY_ATTRIBUTE, "");
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, at the box's mount: what the page showed before
  }, []);

  /** The thread (made once, however many files ask at the same time) and the pending message's id. */
  const ensureIds = useCallback(async () => {
    let thread = threadId ?? ids.current.threadId;
    if (!thread) {
      const state = made.current;
      state.creating ??= state.utils.client.threads.create.mutate().then(
        ({ id }) => {
          ids.current.threadId = id;
          state.threadId = id;
          // Left before the server answered: the cleanup below already ran, so this empty thread goes now.
          if (!mounted.current) void deleteEmptyThread(state);
          else onThreadId?.(id);
          return id;
        },
        (error: unknown) => {
          state.creating = null;
          throw error;
        },
      );
      thread = await state.creating;
    }
    ids.current.messageId ??= randomId();
    return { threadId: thread, messageId: ids.current.messageId };
  }, [threadId, onThreadId]);

  const deleteElement = useCallback((thread: string, elementId: string) => utils.client.elements.delete.mutate({ threadId: thread, elementId }), [utils]);
  const attachments = useAttachments({ limits: settings?.limits, ensureIds, deleteElement, onError: toast });

  useEffect(() => {
    mounted.current = true;
    // After New chat, or when a new chat moved to its own URL mid-reply: the cursor stays in the box (unless the
    // reader has moved it since: takeComposerFocus), with what was typed in the new chat's box meanwhile (useDraft).
    if (takeComposerFocus(focusKey)) requestAnimationFrame(() => textarea.current?.focus());
    // The same objects for the box's life: read at the unmount, they hold the thread made meanwhile and the last text.
    const held = ids.current;
    const thread = made.current;
    const typed = latestText;
    return () => {
      mounted.current = false;
      // A new chat's box goes when the chat moves to its own URL (a page and a box of its own), which lands whenever
      // the server answers: what was typed by then is that thread's draft. Before a send was tried, the thread made
      // for files is deleted (below), so the text stays the new chat's.
      if (focusKey === "new" && held.threadId && thread.sendTried) draft.moveTo(held.threadId, typed.current);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- per mount: a box's thread only ever goes from none to its id, which `held` has
  }, [focusKey]);

  // Leaving a new chat that only ever had files (never a message): the empty thread the uploads created would sit
  // in the list as "Untitled", so it goes, files and all. Once a send was tried, nothing is deleted.
  useEffect(() => {
    made.current.utils = utils;
  }, [utils]);
  useEffect(() => {
    const state = made.current;
    return () => void deleteEmptyThread(state);
  }, []);

  useLayoutEffect(() => {
    const box = textarea.current;
    if (!box) return;
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, MAX_TEXTAREA_PX)}px`;
  }, [text]);

  const sendableWith = (typed: string) => typed.trim() !== "" || attachments.files.some((f) => f.status !== "error");
  const sendable = sendableWith(text);

  const submit = async () => {
    // The text as of now, not as of the last render: an Enter right as the app hydrates sends the text just taken.
    if (blocked || queued || !sendableWith(latestText.current)) return;
    if (attachments.busy) {
      setQueued(true);
      await attachments.settled();
      if (!mounted.current) return;
      setQueued(false);
    }
    const draftText = latestText.current;
    const content = draftText.trim();
    const files = attachments.take();
    const uploaded = files.flatMap((f) => (f.status === "done" && f.element ? [f.element] : []));
    if (!content && uploaded.length === 0) {
      // Every file was refused or failed: nothing to send; their messages stay on screen.
      attachments.restore(files);
      return;
    }
    // Taken back after a failed send, the text keeps that send's id, so the server answers it once however far the
    // first send got. Changed since, it is a new message under a new id: under the same id, a first send the server
    // had stored would make it an edit of that question, replacing its turn. Files uploaded for the id keep it.
    if (ids.current.sent !== null && content !== ids.current.sent && files.length === 0) ids.current.messageId = null;
    ids.current.sent = null;
    let thread: string;
    let messageId: string;
    try {
      ({ threadId: thread, messageId } = await ensureIds());
    } catch (error) {
      // The new chat's thread could not be made: nothing was sent, so everything goes back.
      if (!mounted.current) return;
      attachments.restore(files);
      toast(refusedAsTooFast(error) ? t.newChatTooFast : t.sendFailed);
      return;
    }
    if (!mounted.current) return;
    made.current.sendTried = true;
    ids.current.messageId = null;
    changeText("");
    // Sent with the button: the cursor goes back to the box (the button is about to become Stop, then disabled).
    textarea.current?.focus();
    const outcome = await send({ threadId: thread, messageId, content, attachments: uploaded });
    if (outcome === "started") {
      // The server has it: the draft is what was typed since (usually nothing). A new chat's box that went
      // meanwhile has handed its text to the thread (moveTo, at its unmount).
      if (mounted.current || focusKey !== "new") draft.replace(latestText.current);
      attachments.release(files);
      return;
    }
    if (!mounted.current) return;
    // Same message id again: its files are already uploaded for it, and a retry is not stored twice.
    ids.current.messageId = messageId;
    ids.current.sent = content;
    if (!latestText.current) changeText(draftText);
    attachments.restore(files.filter((f) => f.status === "done"));
    textarea.current?.focus();
  };

  // An Enter pressed before the app ran was kept by the page's early script (send-key.ts): sent now, after the draft
  // was read (useDraft's effect runs first), so the box it empties is not refilled with the text sent. Only what the
  // box showed when it was pressed: an Enter in a box still empty never sends the draft the app put in it since.
  useEffect(() => {
    const box = textarea.current;
    if (!box?.hasAttribute(SEND_PENDING_ATTRIBUTE)) return;
    box.removeAttribute(SEND_PENDING_ATTRIBUTE);
    if (typedBeforeHydration.current) void submit();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, at the box's mount: the Enter was pressed before it
  }, []);

  const onKeyDown = (event: React.KeyboardEvent<HTMLTextAreaElement>) => {
    // Taken by the early script (the same keydown hydrating the page on its way here): it is sent above, once.
    if (event.defaultPrevented || !sendsMessage(event.nativeEvent)) return;
    event.preventDefault();
    void submit();
  };

  const hasFiles = (event: React.DragEvent) => Array.from(event.dataTransfer.types).includes("Files");

  const isDemo = settings?.assistant.isDemo;
  const status = !turn ? "" : streaming ? t.replying : turn.status === "cancelled" ? t.replyStopped : turn.status === "error" ? t.assistantFailed(turn.error ?? "") : "";

  return (
    <div className="composer">
      <form
        className="composer-card"
        data-dragging={dragging ? "true" : undefined}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
        onDragEnter={(event) => {
          if (!hasFiles(event)) return;
          event.preventDefault();
          dragDepth.current++;
          setDragging(true);
        }}
        onDragOver={(event) => {
          if (!hasFiles(event)) return;
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
        }}
        onDragLeave={() => {
          dragDepth.current = Math.max(0, dragDepth.current - 1);
          if (dragDepth.current === 0) setDragging(false);
        }}
        onDrop={(event) => {
          if (!hasFiles(event)) return;
          event.preventDefault();
          dragDepth.current = 0;
          setDragging(false);
          attachments.add(Array.from(event.dataTransfer.files));
        }}
      >
        <AttachmentList files={attachments.files} onRemove={attachments.remove} />
        <label htmlFor={inputId} className="sr-only">
          {t.messageLabel}
        </label>
        <textarea
          id={inputId}
          ref={textarea}
          // Never refilled by the browser after Back: it refilled the box with what the page's entry in the history
          // held, which could be another user's (alice's unsent text on the shared computer bob signed in to after her)
          // or another box's (an edit's), and the box takes what it shows before the app runs. Its draft is the app's
          // to give back (use-draft.ts), under the user's own tag.
          autoComplete="off"
          {...EARLY_SEND_BOX}
          className="composer-input"
          aria-keyshortcuts="/ Shift+Escape"
          rows={1}
          value={text}
          placeholder={t.messagePlaceholder}
          maxLength={settings?.limits.messageMax}
          aria-describedby={hintId}
          onChange={(event) => {
            changeText(event.target.value);
            draft.typed(event.target.value);
          }}
          onKeyDown={onKeyDown}
          onPaste={(event) => {
            const pasted = Array.from(event.clipboardData.files);
            if (pasted.length === 0) return;
            // A screenshot or a copied file: attach it; text on the clipboard still pastes.
            if (!event.clipboardData.getData("text")) event.preventDefault();
            attachments.add(pasted);
          }}
        />
        <div className="composer-toolbar">
          <AttachButton limits={settings?.limits} onFiles={attachments.add} />
          <span id={hintId} className="composer-hint">
            {queued ? (
              <>
                <span className="spinner spinner-sm" aria-hidden="true" /> {t.waitingForUploads}
              </>
            ) : waitingForOtherTab ? (
              <>
                <span className="spinner spinner-sm" aria-hidden="true" /> {t.waitingForOtherTab}
              </>
            ) : (
              <>
                <span className="composer-keys">{t.composerHint}</span>
                {/* Shown by CSS alone while an Enter pressed before the app ran waits for it (send-key.ts): no script to show it. */}
                <span className="composer-early-send">
                  <span className="spinner spinner-sm" aria-hidden="true" /> {t.sendingWhenReady}
                </span>
              </>
            )}
          </span>
          {streaming && turn ? (
            <button
              type="button"
              className="composer-send composer-stop"
              aria-label={t.stop}
              title={t.stop}
              onClick={() => {
                stopTurn(turn.threadId);
                textarea.current?.focus();
              }}
            >
              <StopIcon size={14} />
            </button>
          ) : (
            <button type="submit" className="composer-send" aria-label={t.send} title={t.send} disabled={!sendable || blocked} aria-busy={queued || undefined}>
              {queued ? <span className="spinner spinner-sm spinner-on-accent" aria-hidden="true" /> : <ArrowUpIcon size={17} />}
            </button>
          )}
        </div>
        {dragging ? (
          <div className="composer-drop" aria-hidden="true">
            {t.dropFiles}
          </div>
        ) : null}
      </form>
      <p className="composer-note">
        {isDemo ? (
          <>
            <span className="demo-badge">{t.demoBadge}</span> {t.demoNotice}
          </>
        ) : settings ? (
          t.assistantNotice(settings.assistant.name)
        ) : (
          "\u00a0"
        )}
      </p>
      <p className="sr-only" role="status">
        {status}
      </p>
    </div>
  );
}
