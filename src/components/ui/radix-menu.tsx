"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useEffect, useRef, type ReactElement, type ReactNode } from "react";
import "./radix-menu.css";
import "./style-nonce";

export interface ActionMenuItem {
  key: string;
  label: string;
  icon?: ReactNode;
  danger?: boolean;
  /** The item moves focus itself (opens a field or a dialog): the menu does not put it back on its button. */
  movesFocus?: boolean;
  onSelect: () => void;
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
}: {
  label: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  trigger: ReactElement;
  items: ActionMenuItem[];
}) {
  // An item that moves focus itself (a rename field, a dialog) keeps it: Radix would put it back on the button.
  const refocus = useRef(true);
  // Opened from the button that stood in before this code loaded, so Radix did not see the key (it focuses the
  // first item only when it did): the first item takes focus whatever opened the menu, as in ui/menu.tsx.
  const content = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const frame = requestAnimationFrame(() => content.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus());
    return () => cancelAnimationFrame(frame);
  }, [open]);
  return (
    <DropdownMenu.Root open={open} onOpenChange={onOpenChange} modal={false}>
      <DropdownMenu.Trigger asChild>{trigger}</DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          className="menu rdx-menu"
          aria-label={label}
          align="end"
          sideOffset={4}
          collisionPadding={8}
          ref={content}
          onCloseAutoFocus={(event) => {
            if (!refocus.current) event.preventDefault();
            refocus.current = true;
          }}
        >
          {items.map((item) => (
            <DropdownMenu.Item
              key={item.key}
              className={item.danger ? "menu-item menu-item-danger" : "menu-item"}
              onSelect={() => {
                if (item.movesFocus) refocus.current = false;
                item.onSelect();
              }}
            >
              {item.icon}
              <span>{item.label}</span>
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
