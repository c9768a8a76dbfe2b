/**
 * The branch of a message tree a conversation shows. ChatGPT, Open WebUI and LibreChat all keep every edit and
 * regeneration as a sibling, and each message names its parent: the branch is found from its last message by walking
 * the parents up to the root, then reversing. A file is hostile: a cycle ends the walk instead of looping, and a
 * branch longer than the message limit skips the conversation.
 */
import { SkipConversation } from "../source-model";

/** From `last` up through `parentOf` to the root, returned root first. */
export function branchEndingAt<T>(last: T | null, parentOf: (node: T) => T | null, idOf: (node: T) => string, maxNodes: number): T[] {
  const branch: T[] = [];
  const seen = new Set<string>();
  for (let node = last; node !== null && !seen.has(idOf(node)); node = parentOf(node)) {
    if (branch.length >= maxNodes) throw new SkipConversation("", { code: "too-many", limit: maxNodes, unit: "messages" });
    seen.add(idOf(node));
    branch.push(node);
  }
  return branch.reverse();
}

/** The latest of `nodes` by `timeOf` (null times count as earliest); on a tie, the last in the file's order. */
export function latestOf<T>(nodes: Iterable<T>, timeOf: (node: T) => number | null): T | null {
  let latest: T | null = null;
  let latestTime = -Infinity;
  for (const node of nodes) {
    const time = timeOf(node) ?? -Infinity;
    if (latest === null || time >= latestTime) {
      latest = node;
      latestTime = time;
    }
  }
  return latest;
}
