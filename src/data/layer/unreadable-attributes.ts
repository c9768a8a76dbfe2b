/**
 * Items another writer left in a shape Threadbook does not read (docs/data-layer.md, "Attributes Threadbook cannot
 * read"): the attribute that does not fit is read as absent (codec.ts, salvageItem) and said once in the `DynamoDB`
 * log, with the item's key and the attribute's name, never its value (it is the other app's data, possibly anything).
 */
import { type z } from "zod";
import { salvageItem, type Item } from "../dynamo/codec";
import { type LayerContext } from "./context";

/** Which item an unreadable attribute was met in: the thread (or user) and the sort key, for the log line. */
export interface ItemPlace {
  threadId?: string;
  identifier?: string;
  sk: string;
}

/** Attributes already reported at warn, by item and name: a thread opened a thousand times warns once per process. */
const reported = new Set<string>();
/** A bound on what is remembered: past it the set starts again (a few warnings more, never unbounded memory). */
const REPORTED_MAX = 5_000;

/** Says once at warn, then at debug, which attributes of an item were read as absent. */
export function reportUnreadable(ctx: LayerContext, place: ItemPlace, attributes: readonly string[]): void {
  if (attributes.length === 0) return;
  const key = `${place.threadId ?? ""}|${place.identifier ?? ""}|${place.sk}|${attributes.join(",")}`;
  const first = !reported.has(key);
  if (first) {
    if (reported.size >= REPORTED_MAX) reported.clear();
    reported.add(key);
  }
  ctx.logger[first ? "warn" : "debug"]("attributes another writer stored in a shape Threadbook does not read: read as absent", { ...place, attributes: [...attributes] });
}

/** decodeItem for items other apps write: what does not fit is left out and reported; null only when the ids do not fit. */
export function decodeLeniently<S extends z.ZodType>(ctx: LayerContext, schema: S, item: Item, place: ItemPlace, defaults: Item = {}): z.infer<S> | null {
  const salvaged = salvageItem(schema, item, defaults);
  if (!salvaged) return null;
  reportUnreadable(ctx, place, salvaged.dropped);
  return salvaged.value;
}
