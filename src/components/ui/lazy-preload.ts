import { lazy, type ComponentType } from "react";

/**
 * A component whose code loads when first wanted, not with the page, and a `preload` to start that load early (on
 * pointer-over or focus of what opens it, so the code is usually in by the click). How Radix's menus and dialogs stay
 * out of the first scripts (docs/conventions.md, "UI").
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- React.lazy's own bound: any props
export function lazyWithPreload<T extends ComponentType<any>>(load: () => Promise<T>): { Component: T; preload: () => void } {
  return {
    Component: lazy(() => load().then((component) => ({ default: component }))) as unknown as T,
    // A failed preload is retried by the render that needs the code, and reported there.
    preload: () => void load().catch(() => {}),
  };
}
