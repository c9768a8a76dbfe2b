"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

/** `value`, once it has stopped changing for `delayMs` (the search box's 300 ms). */
export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/** A CSS media query, live. On the server (and the hydration pass) it reads as not matching. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}

// One shared minute clock for every relative time on the page.
let nowMinute = 0;
const clockListeners = new Set<() => void>();
let clockTimer: ReturnType<typeof setInterval> | null = null;
function tick() {
  nowMinute = Date.now();
  clockListeners.forEach((l) => l());
}

/**
 * "Now", refreshed every minute: relative times ("3 h") and date groups stay right on a page left open, and render
 * stays pure (no Date.now() in render). 0 on the server, which never renders the list's rows.
 */
export function useNow(): Date {
  const ms = useSyncExternalStore(
    (onChange) => {
      clockListeners.add(onChange);
      if (!clockTimer) clockTimer = setInterval(tick, 60_000);
      return () => {
        clockListeners.delete(onChange);
        if (clockListeners.size === 0 && clockTimer) {
          clearInterval(clockTimer);
          clockTimer = null;
        }
      };
    },
    () => {
      if (nowMinute === 0 || Date.now() - nowMinute >= 60_000) nowMinute = Date.now();
      return nowMinute;
    },
    () => 0,
  );
  return new Date(ms);
}

const noSubscribe = () => () => {};

/**
 * False on the server and in the hydration pass, true from the render after it (and in any component mounted later).
 * A component whose server render can only be its loading state draws that state until then, without running its
 * queries and mutations on the server, where they cost CPU on every page and could only answer "loading".
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}
const isApple = () => /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);

/** Apple keyboards say ⌘ where others say Ctrl. False on the server and during hydration. */
export function useIsApple(): boolean {
  return useSyncExternalStore(noSubscribe, isApple, () => false);
}
