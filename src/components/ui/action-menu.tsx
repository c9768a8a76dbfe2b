"use client";

import { Suspense, useState, type ReactNode } from "react";
import { lazyWithPreload } from "./lazy-preload";

import type { ActionMenuItem, MenuPlacement } from "./radix-menu";

export type { ActionMenuItem };

/*
 * Radix's DropdownMenu (radix-menu.tsx) loads when a menu is first wanted, not with every page: each sidebar row has
 * a menu button, the thread's header has Export, and nothing else in their first scripts uses Radix
 * (docs/long-threads.md, "First-load scripts"). Pointing at or focusing a button starts the load, so the menu is
 * usually in by the click.
 */
const { Component: RadixMenu, preload } = lazyWithPreload(() => import("./radix-menu").then((module) => module.RadixMenu));

/**
 * The app's menu button (WAI-ARIA menu button): click, Enter, Space or ArrowDown opens it with focus on the first
 * item; arrows, Home/End and typeahead move; Enter picks; Escape closes back to the button. Until first opened it is
 * a plain button; from then on Radix's.
 *
 * `label` names the menu, and the button too (with a tooltip) unless `namedByContent`: a button showing its own text
 * ("Export", the user's name) is named by it.
 */
export function ActionMenu({
  label,
  items,
  className,
  testId,
  busy,
  namedByContent,
  side,
  align,
  children,
}: {
  label: string;
  items: ActionMenuItem[];
  className?: string;
  testId?: string;
  /** The button's work is under way (an export): announced on it. */
  busy?: boolean;
  namedByContent?: boolean;
  children: ReactNode;
} & MenuPlacement) {
  const [wanted, setWanted] = useState(false);
  const [open, setOpen] = useState(false);
  const openMenu = () => {
    setWanted(true);
    setOpen(true);
  };
  const name = namedByContent ? {} : { "aria-label": label, title: label };
  const button = (handlers: React.ButtonHTMLAttributes<HTMLButtonElement>) => (
    <button type="button" className={className} {...name} aria-haspopup="menu" aria-expanded={open} aria-busy={busy || undefined} data-testid={testId} {...handlers}>
      {children}
    </button>
  );
  if (!wanted) {
    return button({
      onPointerEnter: preload,
      onFocus: preload,
      onClick: openMenu,
      onKeyDown: (event) => {
        if (event.key === "ArrowDown") {
          event.preventDefault();
          openMenu();
        }
      },
    });
  }
  return (
    <Suspense fallback={button({})}>
      <RadixMenu label={label} open={open} onOpenChange={setOpen} trigger={button({})} items={items} side={side} align={align} />
    </Suspense>
  );
}
