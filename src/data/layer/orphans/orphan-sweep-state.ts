/**
 * The orphan sweep's one item (keys.ts, ORPHAN_SWEEP_KEY): its place in the bucket's listing and its lease. Taking
 * the lease reads the place in the same conditional UpdateItem, and giving it back stores the new place in the same
 * conditional UpdateItem, so a run costs the table two writes besides its reads, and two instances never run at once
 * (the second finds the lease held and skips its turn). A holder that dies leaves the lease to run out (LEASE_MS); the
 * place it had not stored yet is listed again, which only costs a repeat of that page's reads.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ORPHAN_SWEEP_KEY } from "../../keys";
import { DERIVED_ROOTS, type DerivedRoot } from "../../storage/object-key";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";

/** Far beyond a run's own bound (orphan-sweep.ts, ORPHAN_SWEEP_BOUNDS.maxRunMs): a live holder never loses it. */
export const LEASE_MS = 10 * 60_000;

/** Where the next run lists from: which root, after which key, in which bucket or container. */
export interface SweepPlace {
  root: DerivedRoot;
  continuation?: string;
}

const isRoot = (value: unknown): value is DerivedRoot => DERIVED_ROOTS.includes(value as DerivedRoot);

/**
 * Takes the lease for `holder` (nobody holds it, or the last holder's ran out by `now`) and answers the place the
 * last run stored; null when someone else holds it. A place stored for another bucket or container (the deployment
 * moved its files) means nothing here: the walk starts from the first root.
 */
export async function takeSweep(ctx: LayerContext, holder: string, now: number, storage: string): Promise<SweepPlace | null> {
  const take = new UpdateCommand({
    TableName: ctx.tableName,
    Key: ORPHAN_SWEEP_KEY,
    UpdateExpression: "SET #holder = :holder, #end = :end",
    ConditionExpression: "attribute_not_exists(#holder) OR #end <= :now",
    ExpressionAttributeNames: { "#holder": "holder", "#end": "leaseEndsAt" },
    ExpressionAttributeValues: { ":holder": holder, ":end": now + LEASE_MS, ":now": now },
    ReturnValues: "ALL_NEW",
  });
  const item = await onConditionFailed(async () => (await ctx.doc.send(take)).Attributes ?? {}, () => null);
  if (!item) return null;
  if (item.storage !== storage || !isRoot(item.root)) return { root: DERIVED_ROOTS[0] };
  return { root: item.root, continuation: typeof item.continuation === "string" && item.continuation !== "" ? item.continuation : undefined };
}

/**
 * Stores the place the next run goes on from and gives the lease back, only while `holder` still holds it; false
 * when it no longer does (its lease ran out and another took it over: that one's place stands).
 */
export function finishSweep(ctx: LayerContext, holder: string, storage: string, next: SweepPlace): Promise<boolean> {
  const names: Record<string, string> = { "#holder": "holder", "#end": "leaseEndsAt", "#root": "root", "#storage": "storage", "#continuation": "continuation" };
  const values: Record<string, string> = { ":holder": holder, ":root": next.root, ":storage": storage };
  let update = "SET #root = :root, #storage = :storage";
  if (next.continuation) {
    update += ", #continuation = :continuation";
    values[":continuation"] = next.continuation;
  }
  update += ` REMOVE #holder, #end${next.continuation ? "" : ", #continuation"}`;
  const finish = new UpdateCommand({
    TableName: ctx.tableName,
    Key: ORPHAN_SWEEP_KEY,
    UpdateExpression: update,
    ConditionExpression: "#holder = :holder",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
  return onConditionFailed(async () => (await ctx.doc.send(finish), true), () => false);
}
