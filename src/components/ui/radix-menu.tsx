"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useEffect, useRef, type ReactElement, type ReactNode } from "react";
import "./radix-menu.css";
import "./style-nonce";

export interface ActionMenuItem {
  key: string;
  label: string;
  icon?: ReactNode;
  /** Muted text at the item's end (a file extension), not part of its name. */
  hint?: string;
  danger?: boolean;
  /**
   * What the item does with focus. "field": it moves focus itself (a rename field), and the menu leaves it there.
   * "dialog": it opens a dialog, which must find focus on the menu's button, to hand it back there when it closes
   * (ui/radix-dialog.tsx). Otherwise focus goes back to the button.
   */
  focus?: "field" | "dialog";
  /**
   * A page to open in a new tab (the print view): the item is a link (target=_blank, rel=noopener), so Enter, a
   * click and the browser's own link handling open it, and no script has to open a window (popup blockers allow it).
   */
  href?: string;
  onSelect?: () => void;
}

export interface MenuPlacement {
  /** "top" for a button at the bottom of the screen (the sidebar's foot). */
  side?: "top" | "bottom";
  align?: "start" | "end";
}

/**
 * The menu of an ActionMenu (action-menu.tsx) on Radix's DropdownMenu: roving focus with arrows, Home/End and
 * typeahead, Escape and outside clicks close, focus back on the button, positioned beside it and kept on screen.
 */
export function RadixMenu({
  label,
  open,
  onOpenChange,
  trigger,
  items,
  side = "bottom",
  align = "end",
}: {
  label: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  trigger: ReactElement;
  items: ActionMenuItem[];
} & MenuPlacement) {
  // An item that moves focus itself keeps it: Radix would put it back on the button once the menu is gone.
  const refocus = useRef(true);
  // Opened from the button that stood in before this code loaded, so Radix did not see the key (it focuses the
  // first item only when it did): the first item takes focus whatever opened the menu.
  const content = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const frame = requestAnimationFrame(() => content.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus());
    return () => cancelAnimationFrame(frame);
  }, [open]);
  return (
    <DropdownMenu.Root open={open} onOpenChange={onOpenChange} modal={false}>
      <DropdownMenu.Trigger asChild ref={button}>
        {trigger}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          className="menu"
          aria-label={label}
          // Radix names the menu by its button; a button named by its content (the user's name) would name it wrong.
          aria-labelledby={undefined}
          side={side}
          align={align}
          sideOffset={4}
          collisionPadding={8}
          ref={content}
          onCloseAutoFocus={(event) => {
            if (!refocus.current) event.preventDefault();
            refocus.current = true;
          }}
        >
          {items.map((item) => {
            const content = (
              <>
                {item.icon}
                <span>{item.label}</span>
                {item.hint ? (
                  <span className="menu-hint" aria-hidden="true">
                    {item.hint}
                  </span>
                ) : null}
              </>
            );
            return (
              <DropdownMenu.Item
                key={item.key}
                className={item.danger ? "menu-item menu-item-danger" : "menu-item"}
                // Radix clicks the item on Enter or Space: for a link, that is the link's own navigation.
                asChild={item.href !== undefined}
                onSelect={() => {
                  if (item.focus) refocus.current = false;
                  // Radix hands focus back only after the menu is gone, when the dialog has already taken it.
                  if (item.focus === "dialog") button.current?.focus();
                  item.onSelect?.();
                }}
              >
                {item.href !== undefined ? (
                  <a href={item.href} target="_blank" rel="noopener">
                    {content}
                  </a>
                ) : (
                  content
                )}
              </DropdownMenu.Item>
            );
          })}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
