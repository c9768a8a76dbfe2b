/**
 * Which step each step nests under, as a conversation reads: Chainlit's steps arrive flat, linked by `parentId`, and
 * from older or third-party writers imperfectly (a parent never written, a step naming itself or a descendant as its
 * parent). Pure, and shared by the owner's view (`buildStepTree`, src/lib/shared) and the share snapshot
 * (share-snapshot.ts), so a share never shows less of a thread than its owner sees.
 */

/**
 * `ordered`: the steps in display (time) order. Returns, for each index, its parent's index, or -1 for a root: a step
 * whose parent is unknown or itself, and the earliest step of every cycle (the conversation still reads in time
 * order). Duplicate ids: links go to the first.
 */
export function parentIndexes(ordered: ReadonlyArray<{ id: string; parentId?: string | null }>): Int32Array {
  // Steps by their place in time order from here on: the walks below read and mark arrays, not maps keyed by id
  // (a 10,000-step thread is cut into turns on every view and page of it, and map lookups were most of the cost).
  const indexOf = new Map<string, number>();
  ordered.forEach((step, index) => {
    if (!indexOf.has(step.id)) indexOf.set(step.id, index);
  });
  const parent = new Int32Array(ordered.length);
  ordered.forEach((step, index) => {
    const p = step.parentId;
    parent[index] = p && p !== step.id ? (indexOf.get(p) ?? -1) : -1;
  });
  // Break every cycle at its earliest step, which becomes a root.
  // A step known to lead to a root still does after any break (a break only cuts links), so walks stop there:
  // each step is walked once, not once per step below it.
  const UNKNOWN = 0;
  const LEADS_TO_ROOT = 1;
  const ON_PATH = 2;
  const state = new Uint8Array(ordered.length);
  const path: number[] = [];
  for (let index = 0; index < ordered.length; index++) {
    for (;;) {
      path.length = 0;
      let current = index;
      while (current !== -1 && state[current] === UNKNOWN) {
        state[current] = ON_PATH;
        path.push(current);
        current = parent[current]!;
      }
      if (current === -1 || state[current] === LEADS_TO_ROOT) {
        for (const step of path) state[step] = LEADS_TO_ROOT;
        break;
      }
      // A cycle: its earliest step (the lowest index) loses its parent, and the walk starts again.
      parent[path.slice(path.indexOf(current)).reduce((a, b) => Math.min(a, b))] = -1;
      for (const step of path) state[step] = UNKNOWN;
    }
  }
  return parent;
}
