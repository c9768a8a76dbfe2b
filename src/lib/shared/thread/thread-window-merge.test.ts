import { describe, expect, it } from "vitest";
import { asReplacement, isLatest, mergeThreadWindows, type ThreadWindowLike, type WindowPosition } from "./thread-window-merge";

/** A block of turns [start, end) of a thread of `total` turns: one step `s{i}` and one element `e{i}` per turn. */
function block(start: number, end: number, total: number, tag = ""): ThreadWindowLike & { name: string } {
  const range = Array.from({ length: end - start }, (_, i) => start + i);
  const window: WindowPosition = {
    start,
    end,
    total,
    messages: total * 2,
    olderCursor: start > 0 ? `older-${start}` : null,
    newerCursor: end < total ? `newer-${end}` : null,
  };
  // Times as the server's steps carry them: a merged block holds its pages in any order, the turns sort by time.
  const createdAt = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return { name: `thread${tag}`, steps: range.map((i) => ({ id: `s${i}`, tag, createdAt: createdAt(i) })), elements: range.map((i) => ({ id: `e${i}`, forId: `s${i}` })), window };
}
const ids = (data: ThreadWindowLike) => data.steps.map((s) => s.id).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `s${from + i}`);

describe("mergeThreadWindows", () => {
  it("takes the first window as it is", () => {
    const latest = block(30, 50, 50);
    expect(mergeThreadWindows(undefined, latest)).toBe(latest);
  });

  it("an older page joins the block: every turn once, the older cursor from the page, still the latest", () => {
    const merged = mergeThreadWindows(block(30, 50, 50), block(10, 30, 50));
    expect(ids(merged)).toEqual(range(10, 50));
    expect(merged.window).toMatchObject({ start: 10, end: 50, olderCursor: "older-10", newerCursor: null });
    expect(isLatest(merged)).toBe(true);
    expect(merged.elements).toHaveLength(40);
  });

  it("the newest reply's state (open, cut off) stays with the block's newer end: an older page does not erase it, a refetch of the latest turns sets it", () => {
    const cutOff = (data: ThreadWindowLike & { name: string }) => ({ ...data, window: { ...data.window, openReply: "cut-off" as const } });
    const merged = mergeThreadWindows(cutOff(block(30, 50, 50)), block(10, 30, 50));
    expect(merged.window.openReply).toBe("cut-off");
    expect(mergeThreadWindows(merged, block(30, 50, 50)).window.openReply).toBeUndefined();
  });

  it("a refetch of the latest turns after a new one keeps the pages already loaded, and the newest copy of each step", () => {
    const loaded = mergeThreadWindows(block(30, 50, 50, "old"), block(10, 30, 50, "old"));
    const merged = mergeThreadWindows(loaded, block(31, 51, 51, "new"));
    expect(ids(merged)).toEqual(range(10, 51));
    expect(merged.window).toMatchObject({ start: 10, end: 51, total: 51, olderCursor: "older-10", newerCursor: null });
    expect(merged.steps.find((s) => s.id === "s40")).toMatchObject({ tag: "new" });
    expect(merged.steps.find((s) => s.id === "s12")).toMatchObject({ tag: "old" });
  });

  it("a block marked as a replacement (steps the server removed, a regenerated reply) is taken as it is, not merged back", () => {
    const loaded = mergeThreadWindows(block(30, 50, 50), block(10, 30, 50));
    // The block's first turn, which a merge keeps as an older page next does not cover.
    const without = { ...loaded, steps: loaded.steps.filter((s) => s.id !== "s10"), elements: loaded.elements.filter((e) => e.id !== "e10") };
    expect(ids(mergeThreadWindows(loaded, without))).toContain("s10");
    const replaced = mergeThreadWindows(loaded, asReplacement(without));
    expect(replaced).toBe(without);
    expect(ids(replaced)).toEqual(range(11, 50));
  });

  it("a refetch drops a reply the server removed from a turn it holds (another tab regenerated it); older pages stay", () => {
    const loaded = mergeThreadWindows(block(30, 50, 50), block(10, 30, 50));
    // Turn 49: its question s49, the old run and answer under it, a file on the answer.
    const withTurn = (data: ThreadWindowLike, reply: string) => ({
      ...data,
      steps: [...data.steps, { id: `run-${reply}`, parentId: "s49" }, { id: `answer-${reply}`, parentId: `run-${reply}` }],
      elements: [...data.elements, { id: `file-${reply}`, forId: `answer-${reply}` }],
    });
    const merged = mergeThreadWindows(withTurn(loaded, "old"), withTurn(block(30, 50, 50), "new"));
    expect(merged.steps.map((s) => s.id)).not.toEqual(expect.arrayContaining(["run-old"]));
    expect(merged.steps.map((s) => s.id).filter((id) => id.includes("-"))).toEqual(["run-new", "answer-new"]);
    expect(merged.elements.map((e) => e.id).filter((id) => id.startsWith("file"))).toEqual(["file-new"]);
    expect(ids({ ...merged, steps: merged.steps.filter((s) => !s.id.includes("-")) })).toEqual(range(10, 50));
  });

  it("a refetch drops the later turns an edit removed (in another tab), with their files; the pages before stay", () => {
    const loaded = mergeThreadWindows(block(30, 50, 50), block(10, 30, 50));
    // Turn 40 edited: turns 41-49 are gone, its new reply is nested under it; the thread now has 41 turns.
    const edited = block(21, 41, 41);
    const withReply = { ...edited, steps: [...edited.steps, { id: "run-new", parentId: "s40" }] };
    const merged = mergeThreadWindows(loaded, withReply);
    expect(ids({ ...merged, steps: merged.steps.filter((s) => s.id !== "run-new") })).toEqual(range(10, 41));
    expect(merged.elements.map((e) => e.id)).not.toContain("e45");
    expect(merged.window).toMatchObject({ start: 10, end: 41, total: 41, newerCursor: null });
    // A block around a link: only the turns between the first and last it holds count as gone.
    const around = block(20, 30, 41);
    const mergedAround = mergeThreadWindows(block(15, 35, 50), { ...around, steps: around.steps.filter((s) => s.id !== "s25") });
    expect(ids(mergedAround)).toEqual(range(15, 35).filter((id) => id !== "s25"));
  });

  it("an edit of the cached block (a thumb) is taken as it is", () => {
    const loaded = mergeThreadWindows(block(30, 50, 50), block(10, 30, 50));
    const edited = { ...loaded, steps: loaded.steps.map((s) => (s.id === "s15" ? { ...s, tag: "rated" } : s)) };
    expect(mergeThreadWindows(loaded, edited)).toBe(edited);
  });

  it("a block opened around a link stays while the latest turns refetch under it (counts update)", () => {
    const around = block(5, 16, 50);
    const merged = mergeThreadWindows(around, block(32, 52, 52));
    expect(ids(merged)).toEqual(range(5, 16));
    expect(merged.window).toMatchObject({ start: 5, end: 16, total: 52, newerCursor: "newer-16" });
    expect(isLatest(merged)).toBe(false);
  });

  it("newer pages grow a linked block until it reaches the latest turns", () => {
    let data = block(5, 16, 50) as ThreadWindowLike;
    for (const [start, end] of [
      [16, 36],
      [36, 50],
    ]) data = mergeThreadWindows(data, block(start!, end!, 50));
    expect(ids(data)).toEqual(range(5, 50));
    expect(data.window).toMatchObject({ start: 5, end: 50, olderCursor: "older-5", newerCursor: null });
  });

  it("a link's window far from the loaded block replaces it; so does a latest window after a gap", () => {
    expect(ids(mergeThreadWindows(block(30, 50, 50), block(5, 16, 50)))).toEqual(range(5, 16));
    expect(ids(mergeThreadWindows(block(30, 50, 50), block(60, 80, 80)))).toEqual(range(60, 80));
  });
});
