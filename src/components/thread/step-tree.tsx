"use client";

import { memo, Suspense, useContext, useMemo, useState } from "react";
import { attachElements, buildStepTree, feedbackTargets, type StepNode } from "@/lib/shared/thread/build-step-tree";
import { formatDuration, stepTextView } from "@/lib/shared/format";
import { useI18n } from "@/lib/client/i18n-provider";
import { ElementList } from "@/components/elements/element-view";
import { JsonCode, Markdown, prerenderedKey } from "./markdown/lazy-markdown";
import { AnswerActionContext, AssistantMessage, ErrorLabel, UnfinishedReply, UserMessage } from "./message";
import { ChevronRightIcon, SparkIcon, WrenchIcon } from "@/components/ui/icons";
import { stepElementId } from "./window/use-step-anchor";
import { olderTurnsOfFirstWindow } from "./window/first-view";
import type { ThreadDetail, ThreadElement, ThreadStep } from "@/trpc/use-thread-cache";

type Node = StepNode<ThreadStep>;

interface TreeContext {
  threadId: string;
  rated: Map<string, ThreadStep>;
  elementsFor: (stepId: string) => ThreadElement[];
}

const NO_ELEMENTS: ThreadElement[] = [];

/**
 * The steps as a conversation. Roots are turns: a user message on the right, everything else (a run with its
 * tool calls and answers, a lone assistant message) on the left behind the assistant avatar. Tool, LLM and other
 * steps nest under their parent as collapsible cards; feedback sits under each run's last answer.
 *
 * The older turns of the window the view mounts with (all but the newest FIRST_DRAWN_TURNS, first-view.ts) are
 * "held". `drawHeld` false (the thread page, until the browser has the Markdown code): they are not drawn at all, on
 * the server or at hydration, and are drawn by the browser when it turns true. Otherwise (a shared thread, a new
 * chat) they are drawn, in a Suspense boundary of their own, which React hydrates after the rest of the page.
 */
export function Conversation({
  thread,
  before,
  after,
  drawHeld = true,
}: {
  thread: Pick<ThreadDetail, "id" | "steps" | "elements">;
  before?: React.ReactNode;
  after?: React.ReactNode;
  drawHeld?: boolean;
}) {
  const { t } = useI18n();
  const roots = useMemo(() => buildStepTree(thread.steps), [thread.steps]);
  const rated = useMemo(() => feedbackTargets(roots), [roots]);
  const { byStep, orphans } = useMemo(() => attachElements(thread.elements, new Set(thread.steps.map((s) => s.id))), [thread.elements, thread.steps]);
  const tree = useMemo<TreeContext>(() => ({ threadId: thread.id, rated, elementsFor: (id) => byStep.get(id) ?? NO_ELEMENTS }), [thread.id, rated, byStep]);
  // Fixed when the view mounts (the server's render and the hydrating one agree on it): the first window's older turns.
  const [heldIds] = useState(() => new Set(olderTurnsOfFirstWindow(roots).map((node) => node.step.id)));
  const [above, held, below] = useMemo(() => splitHeld(roots, heldIds), [roots, heldIds]);

  if (roots.length === 0 && orphans.length === 0) return <p className="muted conversation-empty">{t.emptyThread}</p>;

  const turns = (nodes: Node[]) => nodes.map((node) => <Turn key={node.step.id} node={node} tree={tree} />);
  return (
    <div className="conversation">
      {before}
      {/* Older pages loaded later go above the boundary, new turns below it: a turn never moves in or out of it. */}
      {turns(above)}
      {drawHeld ? <Suspense fallback={null}>{turns(held)}</Suspense> : null}
      {turns(below)}
      {orphans.length ? (
        <section className="turn turn-assistant" aria-label={t.attachments}>
          <div className="turn-content">
            <ElementList threadId={thread.id} elements={orphans} />
          </div>
        </section>
      ) : null}
      {after}
    </div>
  );
}

/** The roots before the held span, the span (first to last held turn, whatever came between), the roots after it. */
function splitHeld(roots: Node[], heldIds: ReadonlySet<string>): [Node[], Node[], Node[]] {
  const first = roots.findIndex((node) => heldIds.has(node.step.id));
  if (first < 0) return [[], [], roots];
  const last = roots.findLastIndex((node) => heldIds.has(node.step.id));
  return [roots.slice(0, first), roots.slice(first, last + 1), roots.slice(last + 1)];
}

type TurnProps = { node: Node; tree: TreeContext };

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((item, i) => item === b[i]);

/**
 * A turn draws again only when something it shows changed: a step of its own (the cache shares unchanged step
 * objects across writes), its files or its feedback target. A thumb, a loaded page or the end of a reply then
 * redraws one turn, not the thread (docs/long-threads.md).
 */
function sameTurn(a: TurnProps, b: TurnProps): boolean {
  if (a.tree.threadId !== b.tree.threadId) return false;
  const same = (x: Node, y: Node): boolean =>
    x.step === y.step &&
    x.children.length === y.children.length &&
    a.tree.rated.get(x.step.id) === b.tree.rated.get(y.step.id) &&
    sameList(a.tree.elementsFor(x.step.id), b.tree.elementsFor(y.step.id)) &&
    x.children.every((child, i) => same(child, y.children[i]!));
  return same(a.node, b.node);
}

const Turn = memo(function Turn({ node, tree }: TurnProps) {
  const { threadId, elementsFor } = tree;
  const type = node.step.type;
  if (type === "user_message") {
    return (
      <>
        <UserMessage threadId={threadId} step={node.step} elements={elementsFor(node.step.id)} />
        {node.children.length ? <AssistantTurn>{node.children.map((child) => <NodeView key={child.step.id} node={child} run={undefined} tree={tree} />)}</AssistantTurn> : null}
      </>
    );
  }
  if (type === "system_message") {
    return (
      <div className="turn turn-system">
        <Markdown source={{ key: prerenderedKey(node.step.id, "output"), text: node.step.output ?? "" }}>{node.step.output ?? ""}</Markdown>
      </div>
    );
  }
  return (
    <AssistantTurn>
      <NodeView node={node} run={undefined} tree={tree} />
    </AssistantTurn>
  );
}, sameTurn);

function AssistantTurn({ children }: { children: React.ReactNode }) {
  return (
    <div className="turn turn-assistant">
      <div className="avatar avatar-assistant" aria-hidden="true">
        <SparkIcon size={16} />
      </div>
      <div className="turn-content">{children}</div>
    </div>
  );
}

/** One step inside an assistant turn; `run` is the nearest run above it (for the answer's duration). */
function NodeView({ node, run, tree }: { node: Node; run: ThreadStep | undefined; tree: TreeContext }) {
  const { threadId, rated, elementsFor } = tree;
  const action = useContext(AnswerActionContext);
  const { step, children } = node;
  switch (step.type) {
    case "run":
      return (
        <>
          {step.isError ? <ErrorLabel /> : null}
          {children.map((child) => (
            <NodeView key={child.step.id} node={child} run={step} tree={tree} />
          ))}
          <ElementList threadId={threadId} elements={elementsFor(step.id)} />
          {/* A reply with no answer that stopped short (cut off, or failed without an error step): Retry names its run. */}
          {action?.stepId === step.id && action.kind === "retry" ? <UnfinishedReply failed={Boolean(step.isError)} retry={action} /> : null}
        </>
      );
    case "assistant_message":
      return (
        <>
          <AssistantMessage threadId={threadId} step={step} elements={elementsFor(step.id)} ratedStep={rated.get(step.id)} run={run} />
          {children.map((child) => (
            <NodeView key={child.step.id} node={child} run={run} tree={tree} />
          ))}
        </>
      );
    case "user_message":
      return <UserMessage threadId={threadId} step={step} elements={elementsFor(step.id)} />;
    default:
      return <StepCard node={node} run={run} tree={tree} />;
  }
}

/** A tool / LLM / retrieval … step: collapsed to one line (name, duration, error), open for input and output. */
function StepCard({ node, run, tree }: { node: Node; run: ThreadStep | undefined; tree: TreeContext }) {
  const { t } = useI18n();
  const { threadId, elementsFor } = tree;
  const { step, children } = node;
  const duration = formatDuration(step.start, step.end);
  const kind = step.type && t.stepKind[step.type] ? step.type : "other";
  const name = step.name || t.stepKind[kind] || "step";
  const running = !step.end && !step.isError;
  const elements = elementsFor(step.id);
  return (
    <details id={stepElementId(step.id)} className="step-card" data-testid="step" data-step-type={step.type ?? "undefined"} data-error={step.isError ? "true" : undefined} open={step.defaultOpen ?? undefined}>
      <summary>
        <ChevronRightIcon size={14} className="step-chevron" />
        <WrenchIcon size={14} className="step-icon" />
        <span className="step-title">
          {step.type === "llm" ? t.stepRan(name) : t.stepUsed(name)}
        </span>
        <span className="step-kind">{t.stepKind[kind]}</span>
        {step.isError ? <ErrorLabel /> : null}
        <span className="step-duration">{duration ?? (running ? t.stepRunning : "")}</span>
      </summary>
      <div className="step-body">
        {step.input ? <StepText label={t.stepInput} stepId={step.id} field="input" text={step.input} language={step.language} /> : null}
        {step.output ? <StepText label={t.stepOutput} stepId={step.id} field="output" text={step.output} language={step.language} error={Boolean(step.isError)} /> : null}
        {children.map((child) => (
          <NodeView key={child.step.id} node={child} run={run} tree={tree} />
        ))}
        <ElementList threadId={threadId} elements={elements} />
      </div>
    </details>
  );
}

/** JSON as highlighted, pretty-printed code; text in the step's declared language as code; anything else as text. */
function StepText({ label, stepId, field, text, language, error }: { label: string; stepId: string; field: "input" | "output"; text: string; language?: string | null; error?: boolean }) {
  const view = stepTextView(text, language);
  const source = { key: prerenderedKey(stepId, field), text };
  return (
    <div className={error ? "step-io step-io-error" : "step-io"}>
      <div className="step-io-label">{label}</div>
      {view.kind === "json" ? (
        <JsonCode json={view.json} source={source} />
      ) : view.kind === "code" ? (
        <Markdown source={source}>{view.markdown}</Markdown>
      ) : (
        <pre className="step-text" tabIndex={0}>
          {text}
        </pre>
      )}
    </div>
  );
}
