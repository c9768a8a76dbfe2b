import { describe, expect, it } from "vitest";
import { buildStepTree } from "@/lib/shared/thread/build-step-tree";
import { FIRST_DRAWN_TURNS, WHOLE_WINDOW_TURNS, newestTurnStepIds, olderTurnsOfFirstWindow } from "./first-view";

/** Turn `i` as an agent app writes it: a question, its run under it, a tool and the answer under the run. */
function turn(i: number) {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, i, s)).toISOString();
  return [
    { id: `q${i}`, type: "user_message", createdAt: at(0) },
    { id: `run${i}`, type: "run", parentId: `q${i}`, createdAt: at(1) },
    { id: `tool${i}`, type: "tool", parentId: `run${i}`, createdAt: at(2) },
    { id: `a${i}`, type: "assistant_message", parentId: `run${i}`, createdAt: at(3) },
  ];
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describe("the first view of a thread", () => {
  it("the server draws the newest turns, every step of them, and nothing older; the browser draws the rest", () => {
    const steps = range(0, 20).flatMap(turn);
    const newest = range(20 - FIRST_DRAWN_TURNS, 20).flatMap(turn);
    expect([...newestTurnStepIds(steps)].sort()).toEqual(newest.map((s) => s.id).sort());
    expect(olderTurnsOfFirstWindow(buildStepTree(steps)).map((node) => node.step.id)).toEqual(range(0, 20 - FIRST_DRAWN_TURNS).map((i) => `q${i}`));
  });

  it("a short thread is drawn whole by the server", () => {
    for (const turns of [1, 2, WHOLE_WINDOW_TURNS]) {
      const steps = range(0, turns).flatMap(turn);
      expect(newestTurnStepIds(steps).size).toBe(steps.length);
      expect(olderTurnsOfFirstWindow(buildStepTree(steps))).toEqual([]);
    }
    const longer = range(0, WHOLE_WINDOW_TURNS + 1).flatMap(turn);
    expect(olderTurnsOfFirstWindow(buildStepTree(longer))).toHaveLength(WHOLE_WINDOW_TURNS + 1 - FIRST_DRAWN_TURNS);
  });
});
