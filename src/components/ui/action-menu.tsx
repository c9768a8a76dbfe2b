"use client";

import { lazy, Suspense, useState, type ReactNode } from "react";

import type { ActionMenuItem } from "./radix-menu";

export type { ActionMenuItem };

/*
 * Radix's DropdownMenu (radix-menu.tsx) loads when a menu is first wanted, not with every page: each sidebar row has
 * a menu button, and nothing else in the shell uses Radix (docs/long-threads.md, "First-load scripts"). Pointing at or
 * focusing a button starts the load, so the menu is usually in by the click.
 */
const loadMenu = () => import("./radix-menu");
const RadixMenu = lazy(() => loadMenu().then((module) => ({ default: module.RadixMenu })));

/**
 * A button opening a menu of actions (WAI-ARIA menu button): click, Enter, Space or ArrowDown opens it with focus on
 * the first item. Until first opened it is a plain button; from then on Radix's.
 */
export function ActionMenu({ label, items, className, testId, children }: { label: string; items: ActionMenuItem[]; className?: string; testId?: string; children: ReactNode }) {
  const [wanted, setWanted] = useState(false);
  const [open, setOpen] = useState(false);
  const preload = () => void loadMenu();
  const openMenu = () => {
    setWanted(true);
    setOpen(true);
  };
  const button = (handlers: React.ButtonHTMLAttributes<HTMLButtonElement>) => (
    <button type="button" className={className} aria-label={label} title={label} aria-haspopup="menu" aria-expanded={open} data-testid={testId} {...handlers}>
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
      <RadixMenu label={label} open={open} onOpenChange={setOpen} trigger={button({})} items={items} />
    </Suspense>
  );
}
