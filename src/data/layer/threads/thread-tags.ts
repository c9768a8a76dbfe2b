/**
 * Adding and removing a thread's tags (docs/data-layer.md, "Tags"). `tags` is Chainlit's attribute: a list its
 * `update_thread(tags=…)` SETs whole, at any time, with any strings. So a change here is a read of the list, then ONE
 * UpdateItem that SETs the new list on condition that the stored value is still exactly the one read and the thread is
 * still the caller's:
 *
 * - List ops alone do not do: `list_append` cannot refuse a tag already there in another case, and `REMOVE tags[i]`
 *   guarded by `tags[i] = :t` removes the right tag but an add guarded by the size alone could still land on a list
 *   Chainlit rewrote meanwhile. Comparing the whole old value makes every race end the same way: the later write
 *   fails its condition, the list is read again and the change made over what is there now (Chainlit's SET wins,
 *   ours is applied on top of it), up to TAG_ATTEMPTS times.
 * - The old list is compared element by element (`size(tags) = :n AND tags[0] = :v0 …`): DynamoDB compares whole
 *   lists with `=`, but dynalite does not (it compares list elements by identity), and the per-element form is the
 *   same condition on both.
 * - Never a touch: `updatedAt`/`UserThreadSK` are not written, so tagging a thread does not move it in the list
 *   (a rename does not either).
 * - Owner-checked in the write itself (`userId = :owner`): a thread that is gone or someone else's is `not_found`,
 *   and nothing is created (UpdateItem would otherwise make a stub).
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { IdSchema } from "../../entities/common";
import { MAX_STORED_TAGS, MAX_TAGS_PER_THREAD, hasTag, tagKey, tagsOf } from "../../tag-text";
import { TagSchema } from "../../entities/thread";
import { DataError } from "../../errors";
import { threadKey } from "../../keys";
import { type LayerContext } from "../context";
import { notFound, onConditionFailed } from "../edge";
import { ExpressionBuilder } from "../update-expression";

export type TagChange = { add: string } | { remove: string };

/** `full`: the thread holds MAX_TAGS_PER_THREAD tags already and the add was not written. */
export type TagChangeResult = { tags: string[] } | { full: true };

/** Reads and conditional writes per change before giving up with `conflict` (another writer kept changing the list). */
const TAG_ATTEMPTS = 4;

/**
 * Round trips: 1 GetItem + 1 UpdateItem; none written when the change is already so (an add of a tag there, a remove
 * of one not there): 1 GetItem. Returns the thread's tags afterwards (the strings of the stored list).
 */
export async function changeThreadTags(ctx: LayerContext, threadId: string, owner: string, change: TagChange): Promise<TagChangeResult> {
  IdSchema.parse(threadId);
  const tag = TagSchema.parse("add" in change ? change.add : change.remove);
  for (let attempt = 0; attempt < TAG_ATTEMPTS; attempt++) {
    const read = await ctx.doc.send(
      new GetCommand({ TableName: ctx.tableName, Key: threadKey(threadId), ConsistentRead: true, ProjectionExpression: "PK, userId, tags" }),
    );
    const item = read.Item;
    if (!item || item.userId !== owner) return notFound("thread");
    const stored: unknown = item.tags;
    const list: unknown[] = Array.isArray(stored) ? stored : [];
    if (list.length > MAX_STORED_TAGS) throw new DataError("validation", `thread ${threadId} holds more than ${MAX_STORED_TAGS} tags`);
    let next: unknown[];
    if ("add" in change) {
      if (hasTag(list, tag)) return { tags: tagsOf(list) };
      if (tagsOf(list).length >= MAX_TAGS_PER_THREAD) return { full: true };
      next = [...list, tag];
    } else {
      if (!hasTag(list, tag)) return { tags: tagsOf(list) };
      // Only the tag named goes: every other entry, Chainlit's included, stays as stored.
      next = list.filter((t) => typeof t !== "string" || tagKey(t) !== tagKey(tag));
    }
    const written = await onConditionFailed(
      () => writeTags(ctx, threadId, owner, stored, next),
      () => false,
    );
    if (written) return { tags: tagsOf(next) };
  }
  throw new DataError("conflict", `thread ${threadId}: tags kept changing, not written`);
}

/** One UpdateItem: `SET tags = :next` while the owner and the stored value are still the ones read. */
async function writeTags(ctx: LayerContext, threadId: string, owner: string, stored: unknown, next: unknown[]): Promise<true> {
  const expr = new ExpressionBuilder();
  const tags = expr.name("tags");
  const conditions = [`${expr.name("userId")} = ${expr.value(owner)}`, ...stillStored(expr, tags, stored)];
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: threadKey(threadId),
      UpdateExpression: `SET ${tags} = ${expr.value(next)}`,
      ConditionExpression: conditions.join(" AND "),
      ...expr.attributes(),
    }),
  );
  return true;
}

/**
 * The condition "`tags` still holds what was read". A list: the same list, element by element. Anything else (absent,
 * NULL, or a value another writer stored that is no list: a string, a map, a set) holds no tag a read shows, and the
 * change replaces it whole, so "still no list" is the condition: comparing a map or a set with `=` fails in dynalite
 * whatever it holds (a conflict every time), and the value is not Threadbook's to keep.
 */
function stillStored(expr: ExpressionBuilder, tags: string, stored: unknown): string[] {
  if (!Array.isArray(stored)) return [`(attribute_not_exists(${tags}) OR NOT attribute_type(${tags}, ${expr.value("L")}))`];
  return [
    `attribute_type(${tags}, ${expr.value("L")})`,
    `size(${tags}) = ${expr.value(stored.length)}`,
    ...stored.map((value, index) => stillEntry(expr, `${tags}[${index}]`, value)),
  ];
}

/** One list entry as read: a string, number or boolean by value; anything else (NULL, a map, a set, binary) by its type. */
function stillEntry(expr: ExpressionBuilder, path: string, value: unknown): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return `${path} = ${expr.value(value)}`;
  return `attribute_type(${path}, ${expr.value(attributeType(value))})`;
}

/** The DynamoDB type of a value as the document client reads it back (codec.ts's policy). */
function attributeType(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "bigint") return "N";
  if (value instanceof Uint8Array) return "B";
  if (Array.isArray(value)) return "L";
  if (value instanceof Set) {
    const first: unknown = value.values().next().value;
    return typeof first === "string" ? "SS" : first instanceof Uint8Array ? "BS" : "NS";
  }
  return "M";
}
