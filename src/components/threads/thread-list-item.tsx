"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { formatFullDate, machineDateTime, relativeAge } from "@/lib/shared/date-groups";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { useI18n } from "@/lib/client/i18n-provider";
import { MoreIcon, PencilIcon, PinIcon, TrashIcon } from "@/components/ui/icons";
import { ActionMenu } from "@/components/ui/action-menu";
import type { ThreadRow } from "@/trpc/use-thread-cache";

export function formatAge(value: string, now: Date, t: Dictionary): string {
  const age = relativeAge(value, now);
  if (!age) return "";
  return age.unit === "now" ? t.age.now : t.age[age.unit](age.value);
}

/** A search result: the row opens at the matched message and shows the snippet with its words marked. */
interface SearchHitProps {
  id: string;
  href: string;
  snippet: Array<{ text: string; mark?: true }>;
  /** Chosen with ↑/↓ in the search box. */
  selected: boolean;
}

interface Props {
  thread: ThreadRow;
  now: Date;
  active: boolean;
  hit?: SearchHitProps;
  /** Pinned (docs/data-layer.md, "Pinned threads"): the row's menu offers Unpin instead of Pin. */
  pinned: boolean;
  onTogglePin: () => void;
  onNavigate: () => void;
  onRename: (name: string) => void;
  onDelete: () => void;
}

export function ThreadListItem({ thread, now, active, hit, pinned, onTogglePin, onNavigate, onRename, onDelete }: Props) {
  const { t, locale } = useI18n();
  const [editing, setEditing] = useState(false);
  const link = useRef<HTMLAnchorElement>(null);
  const ageId = useId();
  const snippetId = useId();
  const name = thread.name?.trim() || t.untitled;

  const finishEditing = (refocus: boolean) => {
    setEditing(false);
    if (refocus) requestAnimationFrame(() => link.current?.focus());
  };

  return (
    <li
      id={hit?.id}
      className={hit ? "thread-row thread-row-hit" : "thread-row"}
      data-testid="thread-list-item"
      data-active={active ? "true" : undefined}
      data-selected={hit?.selected ? "true" : undefined}
      data-editing={editing ? "true" : undefined}
    >
      {editing ? (
        <RenameInput
          initial={thread.name ?? ""}
          label={t.threadName}
          onDone={(value, how) => {
            const next = value.trim();
            if (next && next !== (thread.name ?? "")) onRename(next);
            finishEditing(how !== "blur");
          }}
        />
      ) : (
        <Link
          ref={link}
          href={hit?.href ?? `/threads/${encodeURIComponent(thread.id)}`}
          prefetch={false}
          className="thread-link"
          aria-current={active ? "page" : undefined}
          // The link is named by the thread alone (so "Kyoto" and "Kyoto (2)" stay distinct); the age describes it.
          aria-describedby={hit ? `${ageId} ${snippetId}` : ageId}
          onClick={onNavigate}
        >
          <span className={thread.name?.trim() ? "thread-name" : "thread-name thread-name-untitled"}>{name}</span>
          <time id={ageId} aria-hidden="true" className="thread-age" dateTime={machineDateTime(thread.updatedAt)} title={formatFullDate(thread.updatedAt, locale)}>
            {formatAge(thread.updatedAt, now, t)}
          </time>
          {hit ? (
            // Out of the link's name (the thread's name alone), read as its description.
            <span id={snippetId} aria-hidden="true" className="thread-snippet" data-testid="search-snippet">
              {hit.snippet.map((part, i) => (part.mark ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
            </span>
          ) : null}
        </Link>
      )}
      {editing ? null : (
        <span className="thread-actions">
          {/*
            The mouse's shortcuts to the menu's Rename and Delete, shown on hover (threads.css). Not Tab stops and not
            read out: the ⋯ menu offers both, so a row is two Tab stops (its link and ⋯) and one set of actions to a
            screen reader. A press does not take the focus, so nothing hidden ever holds it.
          */}
          <button type="button" tabIndex={-1} aria-hidden="true" className="icon-btn icon-btn-sm thread-quick" title={t.renameThread(name)} onMouseDown={keepFocus} onClick={() => setEditing(true)}>
            <PencilIcon size={14} />
          </button>
          <button type="button" tabIndex={-1} aria-hidden="true" className="icon-btn icon-btn-sm icon-btn-danger thread-quick" title={t.deleteThread(name)} onMouseDown={keepFocus} onClick={onDelete}>
            <TrashIcon size={14} />
          </button>
          <ActionMenu
            label={t.rowActions(name)}
            className="icon-btn icon-btn-sm"
            items={[
              { key: "pin", label: pinned ? t.unpin : t.pin, icon: <PinIcon size={14} />, onSelect: onTogglePin },
              { key: "rename", label: t.rename, icon: <PencilIcon size={14} />, focus: "field", onSelect: () => setEditing(true) },
              { key: "delete", label: t.delete, icon: <TrashIcon size={14} />, danger: true, focus: "dialog", onSelect: onDelete },
            ]}
          >
            <MoreIcon size={14} />
          </ActionMenu>
        </span>
      )}
    </li>
  );
}

const keepFocus = (event: React.MouseEvent) => event.preventDefault();

/** Enter saves, Escape cancels, leaving the field saves (as most chat apps do). */
function RenameInput({ initial, label, onDone }: { initial: string; label: string; onDone: (value: string, how: "enter" | "escape" | "blur") => void }) {
  const [value, setValue] = useState(initial);
  const done = useRef(false);
  const finish = (how: "enter" | "escape" | "blur") => {
    if (done.current) return;
    done.current = true;
    onDone(how === "escape" ? initial : value, how);
  };
  return (
    <input
      className="thread-rename"
      aria-label={label}
      value={value}
      maxLength={200}
      // The user just asked to edit this very field.
      autoFocus
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setValue(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          finish("enter");
        } else if (event.key === "Escape") {
          event.preventDefault();
          event.stopPropagation();
          finish("escape");
        }
      }}
      onBlur={() => finish("blur")}
    />
  );
}
