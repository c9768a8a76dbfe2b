import { describe, expect, it } from "vitest";
import type { Step } from "@/data";
import { AROUND_TURNS, LATEST_TURNS, PAGE_TURNS, aroundRange, latestRange, newerRange, olderRange, splitTurns, turnIndexOfStep } from "./thread-window";

const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
const step = (id: string, n: number, parentId: string | null = null, type = "assistant_message"): Step => ({ id, threadId: "t", parentId, type, createdAt: at(n) }) as Step;

describe("splitTurns", () => {
  it("a turn is a root with everything under it, in reading order, whatever order the steps come in", () => {
    const steps = [
      step("reply1", 4, "run1"),
      step("q1", 1, null, "user_message"),
      step("tool1", 3, "run1", "tool"),
      step("run1", 2, "q1", "run"),
      step("q2", 5, null, "user_message"),
      step("greeting", 0),
    ];
    expect(splitTurns(steps).map((t) => [t.rootId, t.steps.map((s) => s.id)])).toEqual([
      ["greeting", ["greeting"]],
      ["q1", ["q1", "run1", "tool1", "reply1"]],
      ["q2", ["q2"]],
    ]);
  });

  it("cuts a chain 20,000 steps deep (every step nested under the one before) into one turn, without running out of stack", () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => step(`s${i}`, i, i === 0 ? null : `s${i - 1}`));
    const turns = splitTurns(steps);
    expect(turns.map((t) => t.rootId)).toEqual(["s0"]);
    expect(turns[0]!.steps.map((s) => s.id)).toEqual(steps.map((s) => s.id));
  });

  it("keeps a step whose parent is missing as a turn of its own", () => {
    const turns = splitTurns([step("orphan", 1, "never-written"), step("q", 0, null, "user_message")]);
    expect(turns.map((t) => t.rootId)).toEqual(["q", "orphan"]);
    expect(turnIndexOfStep(turns, "orphan")).toBe(1);
    expect(turnIndexOfStep(turns, "nope")).toBe(-1);
  });
});

describe("turn ranges", () => {
  it("latest: the last turns, or all of a short thread", () => {
    expect(latestRange(500)).toEqual({ start: 500 - LATEST_TURNS, end: 500 });
    expect(latestRange(3)).toEqual({ start: 0, end: 3 });
    expect(latestRange(0)).toEqual({ start: 0, end: 0 });
  });

  it("older and newer pages stop at the thread's ends", () => {
    expect(olderRange(100)).toEqual({ start: 100 - PAGE_TURNS, end: 100 });
    expect(olderRange(5)).toEqual({ start: 0, end: 5 });
    expect(newerRange(10, 500)).toEqual({ start: 11, end: 11 + PAGE_TURNS });
    expect(newerRange(495, 500)).toEqual({ start: 496, end: 500 });
  });

  it("around a step: turns on both sides, running to the end when that reaches the latest window", () => {
    expect(aroundRange(100, 500)).toEqual({ start: 100 - AROUND_TURNS, end: 101 + AROUND_TURNS });
    expect(aroundRange(2, 500)).toEqual({ start: 0, end: 3 + AROUND_TURNS });
    expect(aroundRange(500 - LATEST_TURNS - AROUND_TURNS, 500)).toEqual({ start: 500 - LATEST_TURNS - 2 * AROUND_TURNS, end: 500 });
  });
});
