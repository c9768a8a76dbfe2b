/**
 * The items that make up one user, and the conditional writes that keep them consistent without transactions
 * (dynalite has none): `USER` (Chainlit's), `AUTH` (Threadbook's) and the lowercase alias (keys.ts).
 */
import { randomBytes } from "node:crypto";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Item } from "../codec";
import { UserAuthSchema, type UserAuth } from "../entities/user";
import { DataError, isConditionalCheckFailed } from "../errors";
import { ALIAS_SK, AUTH_SK, USER_SK, userAliasPk, userPk } from "../keys";
import { batchGet, type TableKey } from "./batch";
import { type LayerContext } from "./context";
import { onConditionFailed } from "./edge";
import { buildUpdateExpression, ExpressionBuilder } from "./update-expression";

export const userKey = (identifier: string): TableKey => ({ PK: userPk(identifier), SK: USER_SK });
export const authKey = (identifier: string): TableKey => ({ PK: userPk(identifier), SK: AUTH_SK });
export const aliasKey = (identifier: string): TableKey => ({ PK: userAliasPk(identifier), SK: ALIAS_SK });

/** What Threadbook versions before the AUTH item kept on the USER item; moved to AUTH the first time it is read. */
const LEGACY_ATTRIBUTES = ["passwordHash", "displayName"] as const;

/** Everything any of the three items holds (one projection for one BatchGetItem). */
const ACCOUNT_ATTRIBUTES = ["PK", "SK", "id", "identifier", "createdAt", "metadata", "displayName", "passwordHash", "sessionVersion", "preferences"];

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

/** One strongly consistent BatchGetItem: the USER and AUTH items of exactly `identifier`, and its alias. */
export async function readAccount(ctx: LayerContext, identifier: string): Promise<Account> {
  const [user, auth, alias] = await readItems(ctx, [userKey(identifier), authKey(identifier), aliasKey(identifier)]);
  return { identifier, user: user!, auth: auth!, alias: aliasTarget(alias) };
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
    const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: aliasKey(identifier), ConsistentRead: true }));
    const winner = aliasTarget(out.Item);
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
