"use client";

import { useMemo, useState } from "react";
import { questionEdits } from "@/lib/shared/thread/editable-question";
import { useSendMessage } from "@/components/composer/use-chat-stream";
import type { ThreadDetail } from "@/trpc/use-thread-cache";
import type { QuestionEdit } from "./question-edit";

/**
 * Edit on the thread's questions: only in a block that runs to the newest turn (it holds every turn a save removes),
 * never on the turn in flight. A save goes through the same sendMessage as a send and a regenerate (chat.edit), the
 * question drawn with its new text as the turn in flight and every step after it hidden at once as the server removes
 * them; its own files stay with it. A save refused before the answer starts (the thread busy in another tab, a limit, no
 * network) gives the typed text back: that message's editor opens again with it.
 */
export function useQuestionEdit(thread: ThreadDetail, latest: boolean, busy: boolean, inFlight: string | null): QuestionEdit | null {
  const send = useSendMessage();
  const { steps, elements, id: threadId } = thread;
  const edits = useMemo(() => (latest ? questionEdits(steps) : null), [latest, steps]);
  const [returned, setReturned] = useState<{ stepId: string; draft: string } | null>(null);
  return useMemo(() => {
    if (!edits) return null;
    const editable = new Set(edits.editable);
    if (inFlight) editable.delete(inFlight);
    return {
      editable,
      disabled: busy,
      laterQuestions: edits.laterQuestions,
      removesMore: edits.removesMore,
      returned,
      dismissReturned: () => setReturned(null),
      save: (stepId, content) => {
        const question = steps.find((s) => s.id === stepId);
        if (!question) return Promise.resolve(false);
        const askedAt = question.createdAt ?? question.start ?? new Date().toISOString();
        const rewrite = { via: "edit" as const, stepId, replacing: edits.later(stepId), askedAt };
        setReturned(null);
        return send({ threadId, messageId: stepId, content, attachments: elements.filter((e) => e.forId === stepId), rewrite }).then((outcome) => {
          if (outcome === "failed") setReturned({ stepId, draft: content });
          return outcome !== "failed";
        });
      },
    };
  }, [edits, inFlight, busy, steps, elements, threadId, send, returned]);
}
