"use client";

import { useEffect, useId, useRef, useState, type ReactNode } from "react";

export interface MenuItem {
  key: string;
  label: ReactNode;
  /** Muted text at the end of the item (a file extension). */
  hint?: string;
  onSelect: () => void;
}

/**
 * A menu button (WAI-ARIA APG "menu button"): opens on click or ArrowDown, focuses the first item; arrows, Home and
 * End move; Escape closes back to the button; Tab or a click outside closes it.
 */
export function MenuButton({
  label,
  children,
  items,
  className = "btn btn-sm",
  placement = "below",
  busy,
  testId,
}: {
  /** The menu's accessible name. */
  label: string;
  /** The button's content. */
  children: ReactNode;
  items: MenuItem[];
  className?: string;
  /** "above" for a button at the bottom of the screen (the sidebar's foot). */
  placement?: "below" | "above";
  busy?: boolean;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onMenuKey = (event: React.KeyboardEvent) => {
    const elements = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const index = elements.indexOf(document.activeElement as HTMLElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? (index + 1) % elements.length : (index - 1 + elements.length) % elements.length;
      elements[next]?.focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      elements[event.key === "Home" ? 0 : elements.length - 1]?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    }
  };

  return (
    <div className="menu-wrap">
      <button
        ref={button}
        type="button"
        className={className}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-busy={busy || undefined}
        data-testid={testId}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {children}
      </button>
      {open ? (
        <div ref={menu} id={menuId} className={placement === "above" ? "menu menu-above" : "menu"} role="menu" aria-label={label} onKeyDown={onMenuKey}>
          {items.map((item) => (
            <button
              key={item.key}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="menu-item"
              onClick={() => {
                close(true);
                item.onSelect();
              }}
            >
              {item.label}
              {item.hint ? (
                <span className="menu-hint" aria-hidden="true">
                  {item.hint}
                </span>
              ) : null}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
