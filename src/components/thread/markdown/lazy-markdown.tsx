"use client";

import type * as MarkdownModule from "./markdown";
import { createContext, lazy, Suspense, useContext, useEffect, useSyncExternalStore, type ReactNode } from "react";

/**
 * Markdown for client components without the Markdown + highlight.js code (~357 KB) in the page's first load
 * (docs/long-threads.md, "Markdown rendered on the server"). The thread page renders its stored turns' Markdown on the
 * server and hands it over as `PrerenderedSteps`; a step shown with exactly the text it was rendered from takes that,
 * and only a step the server did not render (an older page, a reply being streamed, a step whose text changed since)
 * loads the code, once, through React.lazy. The server draws only what its page prerendered; the rest is plain text until the page has hydrated.
 * Not next/dynamic: it wraps its own Suspense boundary with an empty fallback, so a reply streamed while the code
 * loads would stay blank, then appear whole; here the boundary is ours and shows the text as it grows.
 */
let loadedModule: typeof MarkdownModule | null = null;
const whenLoaded = new Set<() => void>();
export const loadMarkdown = () =>
  import("./markdown").then((module) => {
    if (!loadedModule) {
      loadedModule = module;
      for (const notify of whenLoaded) notify();
    }
    return module;
  });
const subscribeLoaded = (notify: () => void) => {
  whenLoaded.add(notify);
  return () => void whenLoaded.delete(notify);
};
/** The Markdown module once this page has loaded it (null before, and on the server). */
const useLoadedModule = () => useSyncExternalStore(subscribeLoaded, () => loadedModule, () => null);
const subscribeNothing = () => () => undefined;
/**
 * False on the server and while the page hydrates, true after. The server never parses Markdown here: what it draws
 * as Markdown is what its page prerendered within a budget (prerender-steps.tsx, PrerenderedContext). Before, a
 * shared thread's every step went through React.lazy on the server, whatever its length and however many, so a
 * share of text made for the parser held the server's event loop for seconds per view (docs/security.md,
 * "Markdown"). The rest is plain text until the page has hydrated, then drawn by the browser.
 */
const useHydrated = () => useSyncExternalStore(subscribeNothing, () => true, () => false);
const DynamicMarkdown = lazy(() => loadMarkdown().then((m) => ({ default: m.Markdown })));
const DynamicJsonCode = lazy(() => loadMarkdown().then((m) => ({ default: m.JsonCode })));

/** A step field the server rendered: the text it was rendered from, and the result. */
export type PrerenderedSteps = ReadonlyMap<string, { text: string; node: ReactNode }>;
export const PrerenderedContext = createContext<PrerenderedSteps>(new Map());

export { prerenderedKey } from "./prerendered-key";

/** Each pre-rendered node with the step text it stands for (keys are `{stepId}:{field}`, prerendered-key.ts). */
export function prerenderedTexts(prerendered: Record<string, ReactNode> | undefined, steps: readonly { id: string; input?: string | null; output?: string | null }[] | undefined): PrerenderedSteps {
  const byId = new Map(steps?.map((step) => [step.id, step]));
  const texts = new Map<string, { text: string; node: ReactNode }>();
  for (const [key, node] of Object.entries(prerendered ?? {})) {
    const at = key.lastIndexOf(":");
    const step = byId.get(key.slice(0, at));
    const field = key.slice(at + 1);
    const text = step && (field === "input" || field === "output") ? step[field] : null;
    if (text) texts.set(key, { text, node });
  }
  return texts;
}
/** The step field a piece of Markdown shows (`text` as stored): its pre-rendered node is used while the text matches. */
export type StepSource = { key: string; text: string };

function usePrerendered(source: StepSource | undefined): ReactNode | undefined {
  const entry = useContext(PrerenderedContext).get(source?.key ?? "");
  return source && entry && entry.text === source.text ? entry.node : undefined;
}

/**
 * `live`: a reply being streamed. It is never put behind a Suspense boundary: a boundary's fallback is not redrawn
 * reliably while every token re-renders its parent, so a reply streamed before the code arrived stayed on its first
 * words, then appeared whole. Until the code is in, a live reply is plain text that grows; then it is Markdown.
 */
export function Markdown({ children, className, source, live }: { children: string; className?: string; source?: StepSource; live?: boolean }) {
  const prerendered = usePrerendered(source);
  const loaded = useLoadedModule();
  const hydrated = useHydrated();
  useEffect(() => {
    if (live && !loaded) void loadMarkdown();
  }, [live, loaded]);
  if (prerendered !== undefined) return prerendered;
  // Once the code is in, drawn directly: no boundary, so a step is drawn once, at its final height.
  if (loaded) return <loaded.Markdown className={className}>{children}</loaded.Markdown>;
  if (live || !hydrated) return <PlainText text={children} className={className} />;
  // Nothing to parse: no reason to load the parser.
  if (!children.trim()) return <div className={className ? `markdown ${className}` : "markdown"} />;
  return (
    <Loading text={children} className={className}>
      <DynamicMarkdown className={className}>{children}</DynamicMarkdown>
    </Loading>
  );
}

export function JsonCode({ json, source }: { json: string; source?: StepSource }) {
  const prerendered = usePrerendered(source);
  const loaded = useLoadedModule();
  const hydrated = useHydrated();
  if (prerendered !== undefined) return prerendered;
  if (loaded) return <loaded.JsonCode json={json} />;
  if (!hydrated) return <PlainText text={json} />;
  return (
    <Loading text={json}>
      <DynamicJsonCode json={json} />
    </Loading>
  );
}

/**
 * While the code loads (the first reply streamed within a second of opening a thread, a slow network), the text is
 * shown as it is: a boundary of its own, so the wait never blanks the conversation around it.
 */
function Loading({ text, className, children }: { text: string; className?: string; children: ReactNode }) {
  return <Suspense fallback={<PlainText text={text} className={className} />}>{children}</Suspense>;
}

function PlainText({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className ? `markdown ${className}` : "markdown"}>
      <p className="markdown-loading">{text}</p>
    </div>
  );
}
