import { describe, expect, it } from "vitest";
import { attachElements, buildStepTree, conversationOrder, feedbackTargets, newestTurn, sortSteps, STEP_TREE_MAX_DEPTH, type StepNode, type TreeStepLike } from "./build-step-tree";
import { splitTurns } from "@/server/thread/thread-window";
import { threadToMarkdown } from "@/server/export/thread-export";

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, s)).toISOString();

/** The tree as nested ids, easy to compare. */
function shape(nodes: StepNode<TreeStepLike>[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.step.id]: shape(n.children) } : n.step.id));
}

describe("buildStepTree", () => {
  it("nests a turn whose run is top-level (Threadbook before, other writers): run with a tool and the answer", () => {
    const steps: TreeStepLike[] = [
      { id: "answer", parentId: "run", type: "assistant_message", createdAt: at(4) },
      { id: "user", type: "user_message", createdAt: at(1) },
      { id: "run", parentId: null, type: "run", createdAt: at(2) },
      { id: "tool", parentId: "run", type: "tool", createdAt: at(3) },
      { id: "llm", parentId: "tool", type: "llm", createdAt: at(3.5) },
    ];
    const tree = buildStepTree(steps);
    expect(shape(tree)).toEqual(["user", { run: [{ tool: ["llm"] }, "answer"] }]);
    expect(tree[1]!.children[0]!.children[0]!.depth).toBe(2);
  });

  it("makes a step whose parent is missing a root, in time order", () => {
    const tree = buildStepTree([
      { id: "b", parentId: "gone", createdAt: at(2) },
      { id: "a", createdAt: at(1) },
    ]);
    expect(shape(tree)).toEqual(["a", "b"]);
  });

  it("survives a self-parent and a longer cycle, keeping every step once", () => {
    const steps: TreeStepLike[] = [
      { id: "self", parentId: "self", createdAt: at(1) },
      { id: "x", parentId: "z", createdAt: at(2) },
      { id: "y", parentId: "x", createdAt: at(3) },
      { id: "z", parentId: "y", createdAt: at(4) },
      { id: "tail", parentId: "z", createdAt: at(0) },
    ];
    const tree = buildStepTree(steps);
    // The cycle x→z→y→x breaks at its earliest step, x.
    expect(shape(tree)).toEqual(["self", { x: [{ y: [{ z: ["tail"] }] }] }]);
    const ids: string[] = [];
    const collect = (nodes: StepNode<TreeStepLike>[]) => nodes.forEach((n) => (ids.push(n.step.id), collect(n.children)));
    collect(tree);
    expect(ids.sort()).toEqual(["self", "tail", "x", "y", "z"]);
  });

  it("keeps steps without createdAt after the step before them", () => {
    const steps: TreeStepLike[] = [
      { id: "first", createdAt: at(5) },
      { id: "no-time" },
      { id: "by-start", start: at(6) },
      { id: "early", createdAt: at(1) },
      { id: "bad", createdAt: "yesterday-ish" },
    ];
    expect(sortSteps(steps).map((s) => s.id)).toEqual(["early", "bad", "first", "no-time", "by-start"]);
  });

  it("puts leading undated steps first and keeps the input order on ties", () => {
    expect(sortSteps([{ id: "u1" }, { id: "t", createdAt: at(1) }, { id: "t2", createdAt: at(1) }]).map((s) => s.id)).toEqual(["u1", "t", "t2"]);
  });

  it("drops a duplicate id instead of showing the step twice", () => {
    const tree = buildStepTree([
      { id: "a", createdAt: at(1) },
      { id: "a", createdAt: at(2), parentId: "b" },
      { id: "b", createdAt: at(3) },
    ]);
    expect(shape(tree)).toEqual(["a", "b"]);
  });

  it("walks a chain 20,000 steps deep (an app nesting every step under the one before) without running out of stack", () => {
    // Each step a run or its answer, nested under the step before: question → run → answer → run → answer → …
    const steps: TreeStepLike[] = Array.from({ length: 20_000 }, (_, i) => ({
      id: `s${i}`,
      parentId: i === 0 ? null : `s${i - 1}`,
      type: i === 0 ? "user_message" : i % 2 === 1 ? "run" : "assistant_message",
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }));
    const [root] = buildStepTree(steps);
    let deepest = root!;
    while (deepest.children.length > 0) deepest = deepest.children[0]!;
    // Nested as deep as a tree goes (below that, steps go beside their parent), and read in time order.
    expect(deepest.depth).toBe(STEP_TREE_MAX_DEPTH);
    expect(conversationOrder(steps).map((step) => step.id)).toEqual(steps.map((step) => step.id));
    // A run's thumbs still go under its own answer, the step right below it.
    const targets = feedbackTargets(buildStepTree(steps));
    expect(targets.get("s2")?.id).toBe("s1");
  });

  it("handles no steps", () => {
    expect(buildStepTree([])).toEqual([]);
  });

  // Hostile: a writer (a Chainlit app on the table, a Threadbook export imported) can chain steps without end. Each
  // walk recursed once per level, so 20,000 overflowed the stack: the thread and share pages, the next turn's
  // history and the account's export all failed. Fails without the bound (RangeError).
  it("nests at most STEP_TREE_MAX_DEPTH deep: a chain of 20,000 steps reads in time order, every step once", () => {
    const n = 20_000;
    const chain = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, parentId: i ? `s${i - 1}` : null, type: "tool", output: `step ${i}`, createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }));
    const roots = buildStepTree(chain);
    let deepest = 0;
    const seen: string[] = [];
    const stack = [...roots];
    while (stack.length) {
      const node = stack.pop()!;
      deepest = Math.max(deepest, node.depth);
      seen.push(node.step.id);
      stack.push(...node.children);
    }
    expect(deepest).toBe(STEP_TREE_MAX_DEPTH);
    expect(new Set(seen).size).toBe(n);
    expect(conversationOrder(chain).map((s) => s.id)).toEqual(chain.map((s) => s.id));
    expect(splitTurns(chain)).toEqual([{ rootId: "s0", steps: chain }]);
    expect(threadToMarkdown({ id: "t", name: "chain", createdAt: chain[0]!.createdAt, steps: chain, elements: [] } as never)).toContain("step 19999");
    // Shallow trees are as before: a step just within the bound keeps its parent.
    const within = buildStepTree(chain.slice(0, STEP_TREE_MAX_DEPTH + 1));
    let node = within[0]!;
    while (node.children.length) node = node.children[0]!;
    expect(node.depth).toBe(STEP_TREE_MAX_DEPTH);
  });
});

describe("feedbackTargets", () => {
  it("puts a run's feedback under its last assistant message", () => {
    const tree = buildStepTree([
      { id: "u", type: "user_message", createdAt: at(1) },
      { id: "run", type: "run", createdAt: at(2) },
      { id: "m1", type: "assistant_message", parentId: "run", createdAt: at(3) },
      { id: "tool", type: "tool", parentId: "run", createdAt: at(4) },
      { id: "m2", type: "assistant_message", parentId: "run", createdAt: at(5) },
      { id: "run2", type: "run", createdAt: at(6) },
      { id: "m3", type: "assistant_message", parentId: "run2", createdAt: at(7) },
      { id: "run3", type: "run", createdAt: at(8) },
    ]);
    const targets = feedbackTargets(tree);
    expect([...targets].map(([m, s]) => [m, s.id])).toEqual([
      ["m2", "run"],
      ["m3", "run2"],
    ]);
  });

  it("rates assistant messages themselves when the thread has no run", () => {
    const tree = buildStepTree([
      { id: "u", type: "user_message", createdAt: at(1) },
      { id: "m1", type: "assistant_message", createdAt: at(2) },
      { id: "m2", type: "assistant_message", createdAt: at(3) },
    ]);
    expect([...feedbackTargets(tree)].map(([m, s]) => [m, s.id])).toEqual([
      ["m1", "m1"],
      ["m2", "m2"],
    ]);
  });

  it("keeps the thumbs off an error reply: on the run's last real answer, or nowhere", () => {
    const tree = buildStepTree([
      { id: "run", type: "run", createdAt: at(1) },
      { id: "m1", type: "assistant_message", parentId: "run", createdAt: at(2) },
      { id: "err", type: "assistant_message", parentId: "run", isError: true, createdAt: at(3) },
      { id: "run2", type: "run", createdAt: at(4) },
      { id: "err2", type: "assistant_message", parentId: "run2", isError: true, createdAt: at(5) },
    ]);
    expect([...feedbackTargets(tree)].map(([m, s]) => [m, s.id])).toEqual([["m1", "run"]]);
  });

  it("lets a nested run rate its own messages", () => {
    const tree = buildStepTree([
      { id: "outer", type: "run", createdAt: at(1) },
      { id: "m1", type: "assistant_message", parentId: "outer", createdAt: at(2) },
      { id: "inner", type: "run", parentId: "outer", createdAt: at(3) },
      { id: "m2", type: "assistant_message", parentId: "inner", createdAt: at(4) },
    ]);
    expect([...feedbackTargets(tree)].map(([m, s]) => [m, s.id]).sort()).toEqual([
      ["m1", "outer"],
      ["m2", "inner"],
    ]);
  });
});

/** Two turns as Chainlit's on_message writes them (and Threadbook now too): user_message → run → reply. */
function nestedTurns(askedAt: (turn: number) => string) {
  return [
    { id: "q1", type: "user_message", parentId: null, createdAt: askedAt(1) },
    { id: "run1", type: "run", parentId: "q1", createdAt: "2026-11-25T12:00:01.000100Z" },
    { id: "a1", type: "assistant_message", parentId: "run1", createdAt: "2026-11-25T12:00:02.000001Z" },
    { id: "q2", type: "user_message", parentId: null, createdAt: askedAt(2) },
    { id: "run2", type: "run", parentId: "q2", createdAt: "2026-11-25T12:00:10.000100Z" },
    { id: "tool2", type: "tool", parentId: "run2", createdAt: "2026-11-25T12:00:10.500000Z" },
    { id: "a2", type: "assistant_message", parentId: "run2", createdAt: "2026-11-25T12:00:11Z" },
  ];
}

describe("turns nested as Chainlit nests them", () => {
  const onTime = (turn: number) => (turn === 1 ? "2026-11-25T12:00:01.000Z" : "2026-11-25T12:00:10.000Z");
  // The user's browser runs 5 s fast: each question carries a later time than the run and answer it started.
  const fast = (turn: number) => (turn === 1 ? "2026-11-25T12:00:06.000Z" : "2026-11-25T12:00:15.000Z");

  it("one root per question, the run under it, the answer under the run", () => {
    expect(shape(buildStepTree(nestedTurns(onTime)))).toEqual([{ q1: [{ run1: ["a1"] }] }, { q2: [{ run2: ["tool2", "a2"] }] }]);
  });

  it("reads question then answer, even when the browser's clock put the question after its answer", () => {
    const expected = ["q1", "run1", "a1", "q2", "run2", "tool2", "a2"];
    expect(conversationOrder(nestedTurns(onTime)).map((s) => s.id)).toEqual(expected);
    expect(conversationOrder(nestedTurns(fast)).map((s) => s.id)).toEqual(expected);
    // By time alone the first answer would come before its question.
    expect(sortSteps(nestedTurns(fast)).map((s) => s.id).indexOf("a1")).toBeLessThan(sortSteps(nestedTurns(fast)).map((s) => s.id).indexOf("q1"));
  });

  it("the thumbs of a nested run sit under its answer", () => {
    const rated = feedbackTargets(buildStepTree(nestedTurns(onTime)));
    expect([...rated].map(([message, run]) => [message, run.id])).toEqual([
      ["a1", "run1"],
      ["a2", "run2"],
    ]);
  });

  it("orders siblings by microseconds and across formats", () => {
    const steps = [
      { id: "c", createdAt: "2026-11-25T12:00:00.000002Z" },
      { id: "whole", createdAt: "2026-11-25T12:00:01Z" },
      { id: "ms", createdAt: "2026-11-25T12:00:00.001Z" },
      { id: "a", createdAt: "2026-11-25T12:00:00.000000Z" },
      { id: "noZone", createdAt: "2026-11-25T12:00:00.000001" },
    ];
    expect(sortSteps(steps).map((s) => s.id)).toEqual(["a", "noZone", "c", "ms", "whole"]);
  });
});

describe("attachElements", () => {
  it("groups elements by their step and keeps the rest for the end", () => {
    const { byStep, orphans } = attachElements(
      [
        { id: "e1", forId: "s1" },
        { id: "e2", forId: "gone" },
        { id: "e3", forId: null },
        { id: "e4", forId: "s1" },
      ],
      new Set(["s1", "s2"]),
    );
    expect(byStep.get("s1")?.map((e) => e.id)).toEqual(["e1", "e4"]);
    expect(orphans.map((e) => e.id)).toEqual(["e2", "e3"]);
  });
});

describe("newestTurn", () => {
  const ids = (turn: ReturnType<typeof newestTurn<TreeStepLike>>) => turn && { question: turn.question.id, reply: turn.reply.map((s) => s.id), answer: turn.answer?.id ?? null };

  it("in Chainlit's shape: the last question, its run and everything under it, the last answer (even with the question's clock ahead)", () => {
    const steps: TreeStepLike[] = [
      { id: "q1", type: "user_message", createdAt: at(1) },
      { id: "r1", type: "run", parentId: "q1", createdAt: at(2) },
      { id: "a1", type: "assistant_message", parentId: "r1", createdAt: at(3) },
      // The browser stamped the question 9 s ahead of its run and answer.
      { id: "q2", type: "user_message", createdAt: at(19) },
      { id: "r2", type: "run", parentId: "q2", createdAt: at(10) },
      { id: "t2", type: "tool", parentId: "r2", createdAt: at(11) },
      { id: "a2", type: "assistant_message", parentId: "r2", createdAt: at(12) },
      { id: "e2", type: "assistant_message", parentId: "r2", isError: true, createdAt: at(13) },
    ];
    expect(ids(newestTurn(steps))).toEqual({ question: "q2", reply: ["r2", "t2", "a2", "e2"], answer: "e2" });
  });

  it("without runs: whatever follows the last question; no answer yet, or no question at all", () => {
    const flat: TreeStepLike[] = [
      { id: "q", type: "user_message", createdAt: at(1) },
      { id: "t", type: "tool", createdAt: at(2) },
      { id: "a", type: "assistant_message", createdAt: at(3) },
    ];
    expect(ids(newestTurn(flat))).toEqual({ question: "q", reply: ["t", "a"], answer: "a" });
    expect(ids(newestTurn(flat.slice(0, 2)))).toEqual({ question: "q", reply: ["t"], answer: null });
    expect(newestTurn([{ id: "hello", type: "assistant_message", createdAt: at(1) }])).toBeNull();
  });
});
