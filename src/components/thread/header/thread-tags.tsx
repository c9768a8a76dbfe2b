"use client";

import { useRef, useState, type FormEvent } from "react";
import { MAX_TAGS_PER_THREAD, TAG_MAX_LENGTH, normaliseTag, withTag, withoutTag } from "@/data/tag-text";
import { useI18n } from "@/lib/client/i18n-provider";
import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { api } from "@/trpc/react";
import { useThreadCache } from "@/trpc/use-thread-cache";
import { useShell } from "@/components/shell/shell-context";
import { useToast } from "@/components/ui/toast";
import { CloseIcon } from "@/components/ui/icons";

/**
 * A thread's tags under its title: each a chip that filters the sidebar by it, with × to remove it, and "Add tag"
 * opening a small inline field. Optimistic as a rename is (thread-list.tsx): the header changes at once, a refusal
 * puts it back and says why; the server's answer (the stored list, Chainlit's tags included) then replaces it.
 */
export function ThreadTags({ threadId, tags }: { threadId: string; tags: readonly string[] }) {
  const { t } = useI18n();
  const toast = useToast();
  const cache = useThreadCache();
  const { setTagFilter, isPhone, openDrawer } = useShell();
  const addTag = api.threads.addTag.useMutation();
  const removeTag = api.threads.removeTag.useMutation();
  const [adding, setAdding] = useState(false);
  const [text, setText] = useState("");
  const addButton = useRef<HTMLButtonElement>(null);

  const settle = (shown: string[], run: (handlers: { onSuccess: (out: { tags: string[] }) => void; onError: (error: { data?: { refusal?: unknown } | null }) => void }) => void) => {
    const undo = cache.setTags(threadId, shown);
    run({
      onSuccess: (out) => {
        cache.setTags(threadId, out.tags);
        void cache.invalidateTagLists();
      },
      onError: (error) => {
        undo();
        toast(refusalMessage(t, error.data?.refusal) ?? t.tagError);
      },
    });
  };

  const close = () => {
    setAdding(false);
    setText("");
    requestAnimationFrame(() => addButton.current?.focus());
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const tag = normaliseTag(text);
    if (!tag) return close();
    settle(withTag([...tags], tag), (handlers) => addTag.mutate({ threadId, tag }, handlers));
    close();
  };

  const onRemove = (tag: string) => {
    settle(withoutTag([...tags], tag), (handlers) => removeTag.mutate({ threadId, tag }, handlers));
    addButton.current?.focus();
  };

  return (
    <ul className="thread-tags" aria-label={t.threadTags} data-testid="thread-tags">
      {tags.map((tag, index) => (
        // By place: Chainlit may store the same string twice.
        <li key={`${index}:${tag}`} className="tag-chip">
          <button
            type="button"
            className="tag-chip-name"
            title={t.showTagged(tag)}
            aria-label={t.showTagged(tag)}
            onClick={() => {
              setTagFilter(tag);
              // On a phone the list is in the closed drawer: shown, so the filter's effect is seen.
              if (isPhone) openDrawer();
            }}
          >
            {tag}
          </button>
          <button type="button" className="tag-chip-remove" aria-label={t.removeTag(tag)} title={t.removeTag(tag)} onClick={() => onRemove(tag)}>
            <CloseIcon size={11} />
          </button>
        </li>
      ))}
      <li>
        {adding ? (
          <form className="tag-add-form" onSubmit={onSubmit}>
            <input
              className="tag-add-input"
              aria-label={t.newTag}
              placeholder={t.newTag}
              value={text}
              maxLength={TAG_MAX_LENGTH}
              autoFocus
              onChange={(event) => setText(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Escape") {
                  event.preventDefault();
                  event.stopPropagation();
                  close();
                }
              }}
              onBlur={(event) => {
                // Leaving the field for its own Add button is not leaving the form.
                if (!event.currentTarget.form?.contains(event.relatedTarget as Node | null)) close();
              }}
            />
            <button type="submit" className="btn btn-sm">
              {t.saveTag}
            </button>
          </form>
        ) : (
          <button
            ref={addButton}
            type="button"
            className="tag-add"
            aria-disabled={tags.length >= MAX_TAGS_PER_THREAD ? true : undefined}
            title={tags.length >= MAX_TAGS_PER_THREAD ? t.tooManyTags(MAX_TAGS_PER_THREAD) : undefined}
            onClick={() => {
              if (tags.length >= MAX_TAGS_PER_THREAD) toast(t.tooManyTags(MAX_TAGS_PER_THREAD));
              else setAdding(true);
            }}
          >
            + {t.addTag}
          </button>
        )}
      </li>
    </ul>
  );
}
