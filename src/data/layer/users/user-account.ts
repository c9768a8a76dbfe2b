/**
 * The items that make up one user, and the conditional writes that keep them consistent without transactions
 * (dynalite has none): `USER` (Chainlit's), `AUTH` (Threadbook's) and the lowercase alias (keys.ts).
 */
import { randomBytes } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../../dynamo/codec";
import { UserAuthSchema, type UserAuth } from "../../entities/user";
import { DataError, isConditionalCheckFailed } from "../../errors";
import { ALIAS_SK, AUTH_SK, USER_SK, userAliasPk, userPk } from "../../keys";
import { batchGet, type TableKey } from "../batch";
import { type LayerContext } from "../context";
import { onConditionFailed } from "../edge";
import { buildUpdateExpression, ExpressionBuilder } from "../update-expression";

export const userKey = (identifier: string): TableKey => ({ PK: userPk(identifier), SK: USER_SK });
export const authKey = (identifier: string): TableKey => ({ PK: userPk(identifier), SK: AUTH_SK });
export const aliasKey = (identifier: string): TableKey => ({ PK: userAliasPk(identifier), SK: ALIAS_SK });

/** What Threadbook versions before the AUTH item kept on the USER item; moved to AUTH the first time it is read. */
const LEGACY_ATTRIBUTES = ["passwordHash", "displayName"] as const;

/**
 * On an AUTH item written by `createAccount` (all three items at once): the user exists only while the alias of their
 * lowercase names them. The value is the createdAt that write gave the USER item, so cleaning up after a lost race
 * removes that USER item only, never one Chainlit's create_user wrote over it since.
 */
const ALIAS_BOUND = "aliasBound";

/** Everything any of the three items holds (one projection for one BatchGetItem). */
const ACCOUNT_ATTRIBUTES = ["PK", "SK", "id", "identifier", "createdAt", "metadata", "displayName", "passwordHash", "sessionVersion", "preferences", ALIAS_BOUND];

/** 96 random bits: a token minted under a version can never match a later one, even for a user removed and re-added. */
export const newSessionVersion = (): string => randomBytes(12).toString("base64url");

/** A user's items as one read found them, under exactly `identifier`. */
export interface Account {
  identifier: string;
  user: Item | null;
  auth: Item | null;
  /** Whom the alias of this identifier's lowercase names: this user, a case twin Chainlit made, or nobody yet. */
  alias: string | null;
}

export const accountExists = (account: Account): boolean => account.user !== null || account.auth !== null;

const aliasTarget = (item: Item | null | undefined): string | null => (typeof item?.identifier === "string" ? item.identifier : null);

async function readItems(ctx: LayerContext, keys: TableKey[]): Promise<Array<Item | null>> {
  const items = await batchGet(ctx, keys, ACCOUNT_ATTRIBUTES);
  return keys.map((key) => items.find((item) => item.PK === key.PK && item.SK === key.SK) ?? null);
}

/**
 * One strongly consistent BatchGetItem: the USER and AUTH items of exactly `identifier`, and its alias. Items a
 * `createAccount` left after losing its lowercase to a case twin (its process stopped before cleaning up) are no
 * user: they are removed here and the account read as without them, so no read path ever signs in as a loser.
 */
export async function readAccount(ctx: LayerContext, identifier: string): Promise<Account> {
  const [user, auth, alias] = await readItems(ctx, [userKey(identifier), authKey(identifier), aliasKey(identifier)]);
  return settleAccount(ctx, { identifier, user: user!, auth: auth!, alias: aliasTarget(alias) });
}

/**
 * An alias-bound account is a user once its alias names it. Alias missing (the creating write's alias put never
 * landed): claimed now, as the first sight of any user claims it. Alias naming a case twin: the twin won, so the
 * loser's items go (each only if still as that write left it) and the account is read again without them.
 * Costs nothing for every other account (one comparison).
 */
async function settleAccount(ctx: LayerContext, account: Account): Promise<Account> {
  const bound = account.auth?.[ALIAS_BOUND];
  if (typeof bound !== "string" || account.alias === account.identifier) return account;
  const owner = account.alias ?? (await claimAlias(ctx, account.identifier, null));
  if (owner === account.identifier) return { ...account, alias: owner };
  await removeLoser(ctx, account.identifier, bound, String(account.auth!.sessionVersion));
  const [user, auth] = await readItems(ctx, [userKey(account.identifier), authKey(account.identifier)]);
  return { identifier: account.identifier, user: user!, auth: auth!, alias: owner };
}

/** The USER and AUTH items one `createAccount` wrote, each only if nobody has written it since. */
async function removeLoser(ctx: LayerContext, identifier: string, userCreatedAt: string, sessionVersion: string): Promise<void> {
  const deleteIf = (key: TableKey, attribute: string, value: string) =>
    onConditionFailed(
      () =>
        ctx.doc.send(
          new DeleteCommand({
            TableName: ctx.tableName,
            Key: key,
            ConditionExpression: "#a = :v",
            ExpressionAttributeNames: { "#a": attribute },
            ExpressionAttributeValues: { ":v": value },
          }),
        ),
      () => undefined,
    );
  await Promise.all([deleteIf(authKey(identifier), "sessionVersion", sessionVersion), deleteIf(userKey(identifier), "createdAt", userCreatedAt)]);
}

/** A PutItem under `attribute_not_exists(PK)`: true if written, false if an item was there. */
const putIfAbsent = (ctx: LayerContext, item: Item): Promise<boolean> =>
  onConditionFailed(
    async () => {
      await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)" }));
      return true;
    },
    () => false,
  );

/**
 * A new user in one round trip: the alias, the USER item and the AUTH item (marked alias-bound) written side by side,
 * each only if absent. Whoever's alias put lands decides between case twins; a loser removes what it wrote and gets
 * the winner's identifier. If this process stops before that cleanup, `readAccount` does it at the loser's next
 * read, so a case twin never becomes a second user. Items someone else wrote meanwhile (Chainlit's create_user, a
 * concurrent sign-in of the same identifier) are kept and read back.
 */
export async function createAccount(
  ctx: LayerContext,
  identifier: string,
  fill: { metadata: Record<string, unknown>; displayName?: string | null },
): Promise<{ user: Item; auth: Item } | { owner: string }> {
  const createdAt = ctx.now();
  const user: Item = { ...userKey(identifier), id: identifier, identifier, createdAt, metadata: fill.metadata };
  const auth: Item = {
    ...authKey(identifier),
    identifier,
    sessionVersion: newSessionVersion(),
    ...(fill.displayName != null ? { displayName: fill.displayName } : {}),
    [ALIAS_BOUND]: createdAt,
  };
  const [aliasWritten, userWritten, authWritten] = await Promise.all([
    putIfAbsent(ctx, { ...aliasKey(identifier), identifier }),
    putIfAbsent(ctx, user),
    putIfAbsent(ctx, auth),
  ]);
  const owner = aliasWritten ? identifier : ((await readAlias(ctx, identifier)) ?? (await claimAlias(ctx, identifier, null)));
  if (owner !== identifier) {
    if (userWritten || authWritten) await removeLoser(ctx, identifier, createdAt, String(auth.sessionVersion));
    return { owner };
  }
  if (userWritten && authWritten) return { user, auth };
  // The same identifier created concurrently, or Chainlit's create_user in between: theirs stand.
  const [storedUser, storedAuth] = await readItems(ctx, [userKey(identifier), authKey(identifier)]);
  return { user: storedUser ?? user, auth: storedAuth ?? auth };
}

async function readAlias(ctx: LayerContext, identifier: string): Promise<string | null> {
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: aliasKey(identifier), ConsistentRead: true }));
  return aliasTarget(out.Item);
}

/**
 * The user someone means by `typed`, whatever its case: exactly that identifier when it has items (a Chainlit table
 * may hold two users differing only in case; each keeps their own), else whom its lowercase alias names.
 * 1 BatchGetItem, 2 when the case typed differs from the stored one. `account` is null for nobody (or a stale alias);
 * `alias` is what the alias item held, for a caller about to claim it.
 */
export async function resolveAccount(ctx: LayerContext, typed: string): Promise<{ account: Account | null; alias: string | null }> {
  const exact = await readAccount(ctx, typed);
  if (accountExists(exact)) return { account: exact, alias: exact.alias };
  if (exact.alias === null || exact.alias === typed) return { account: null, alias: exact.alias };
  const [user, auth] = await readItems(ctx, [userKey(exact.alias), authKey(exact.alias)]);
  const stored: Account = { identifier: exact.alias, user: user!, auth: auth!, alias: exact.alias };
  return { account: accountExists(stored) ? stored : null, alias: exact.alias };
}

const CLAIM_ATTEMPTS = 4;

/**
 * Points the alias of `identifier`'s lowercase at it, unless it already names somebody. `expected` is what a read
 * found there: null for no item, or a stale target whose user is gone (then it is replaced, conditionally).
 * Returns whom the alias names afterwards: `identifier`, or whoever won a race for that lowercase.
 */
export async function claimAlias(ctx: LayerContext, identifier: string, expected: string | null): Promise<string> {
  let current = expected;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const expr = new ExpressionBuilder();
    const condition = current === null ? `attribute_not_exists(${expr.name("PK")})` : `${expr.name("identifier")} = ${expr.value(current)}`;
    try {
      await ctx.doc.send(
        new PutCommand({ TableName: ctx.tableName, Item: { ...aliasKey(identifier), identifier }, ConditionExpression: condition, ...expr.attributes() }),
      );
      return identifier;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const winner = await readAlias(ctx, identifier);
    if (winner !== null) return winner;
    current = null; // deleted in between: claim it afresh
  }
  throw new DataError("conflict", "claimAlias: the alias kept changing");
}

export type AuthOutcome = "present" | "created" | "migrated";

/**
 * The account's AUTH item, created when missing: from what older versions kept on the USER item (which is then
 * removed from it), or with just a fresh session version. A conditional put, so concurrent first reads end with one
 * item: a loser reads the winner's. `fill` gives a display name for a new item only.
 */
export async function ensureAuth(ctx: LayerContext, account: Account, fill: { displayName?: string | null } = {}): Promise<{ auth: UserAuth; outcome: AuthOutcome }> {
  if (account.auth) return { auth: UserAuthSchema.parse(account.auth), outcome: "present" };
  const legacyHash = typeof account.user?.passwordHash === "string" ? account.user.passwordHash : undefined;
  const legacyName = typeof account.user?.displayName === "string" ? account.user.displayName : undefined;
  const displayName = legacyName ?? fill.displayName ?? undefined;
  const auth: UserAuth = {
    identifier: account.identifier,
    sessionVersion: newSessionVersion(),
    ...(legacyHash !== undefined ? { passwordHash: legacyHash } : {}),
    ...(displayName != null ? { displayName } : {}),
  };
  try {
    await ctx.doc.send(
      new PutCommand({ TableName: ctx.tableName, Item: { ...authKey(account.identifier), ...auth }, ConditionExpression: "attribute_not_exists(PK)" }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: authKey(account.identifier), ConsistentRead: true }));
    if (!out.Item) throw new DataError("conflict", "ensureAuth: the user changed meanwhile");
    return { auth: UserAuthSchema.parse(out.Item), outcome: "present" };
  }
  const migrated = legacyHash !== undefined || legacyName !== undefined;
  if (migrated) await removeLegacyAttributes(ctx, account.identifier);
  return { auth, outcome: migrated ? "migrated" : "created" };
}

/** Only after AUTH holds them; conditional so a user deleted meanwhile is not re-created as a stub. */
async function removeLegacyAttributes(ctx: LayerContext, identifier: string): Promise<void> {
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression({ remove: [...LEGACY_ATTRIBUTES] }, expr)!;
  await onConditionFailed(
    () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: userKey(identifier),
          UpdateExpression,
          ConditionExpression: `attribute_exists(${expr.name("PK")})`,
          ...expr.attributes(),
        }),
      ),
    () => undefined,
  );
}

/**
 * The first time Threadbook sees a user (Chainlit made them, or an older version did): their AUTH item and their
 * alias, each written only when missing. Writes nothing for a user seen before.
 */
export async function seeAccount(ctx: LayerContext, account: Account, fill: { displayName?: string | null } = {}) {
  const [auth, alias] = await Promise.all([
    ensureAuth(ctx, account, fill),
    account.alias === null ? claimAlias(ctx, account.identifier, null) : Promise.resolve(account.alias),
  ]);
  return { ...auth, alias };
}
