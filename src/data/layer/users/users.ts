/**
 * Users (docs/data-layer.md, "Users"). Identifiers keep their case: Chainlit keys a user's threads by exactly the string
 * it was given. `USER#{identifier}` / `USER` is Chainlit's item, which its create_user PutItems whole on every login;
 * Threadbook writes it only when missing, attribute by attribute, so Chainlit's createdAt and metadata survive.
 * What Threadbook owns lives in the `AUTH` item beside it, and sign-in in any case goes through the alias item
 * (user-account.ts).
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { decodeItem, keyed, type Item } from "../../dynamo/codec";
import { PersistedUserSchema, UserSchema, type PersistedUser, type User, type UserAuth } from "../../entities/user";
import { AUTH_SK, USER_SK, identifierFromUserPk, retentionKey } from "../../keys";
import { type LayerContext } from "../context";
import { decodeLeniently } from "../unreadable-attributes";
import { notFound, onConditionFailed } from "../edge";
import {
  accountExists,
  aliasKey,
  authKey,
  claimAlias,
  createAccount,
  newSessionVersion,
  readAccount,
  resolveAccount,
  seeAccount,
  userKey,
  type Account,
  type AuthOutcome,
} from "./user-account";
import { buildUpdateExpression, ExpressionBuilder } from "../update-expression";
import { deletePins } from "../threads/pins";

/**
 * Chainlit's id is the identifier itself (no UUID); the display name is Threadbook's, from the AUTH item. Both come
 * from the item's key: the identifier a user is decoded with becomes a session's identity (OAuth sign-in), and an
 * `identifier` attribute disagreeing with `USER#{identifier}` must not sign anybody in as somebody else.
 */
function decodeUser(ctx: LayerContext, user: Item, auth: { displayName?: string | null } | null): PersistedUser {
  const displayName = auth?.displayName ?? (typeof user.displayName === "string" ? user.displayName : undefined);
  const identifier = typeof user.PK === "string" ? identifierFromUserPk(user.PK) : user.identifier;
  // Chainlit's create_user PutItems whatever `metadata` its caller gave: one that is not a map reads as {}, a
  // `createdAt` that is not text as null, never a user who cannot sign in.
  const fields = keyed({ ...user, displayName }, { id: identifier, identifier });
  return decodeLeniently(ctx, PersistedUserSchema, fields, { identifier: String(identifier), sk: USER_SK }) ?? decodeItem(PersistedUserSchema, fields);
}

/** Exactly `identifier` (Chainlit's get_user). 1 BatchGetItem; writes only the first time Threadbook sees the user. */
export async function getUser(ctx: LayerContext, identifier: string): Promise<PersistedUser | null> {
  const account = await readAccount(ctx, identifier);
  if (!account.user) return null;
  const { auth } = await seeAccount(ctx, account);
  return decodeUser(ctx, account.user, auth);
}

/** The user `typed` names in any case (the admin tool's lookup), or null. */
export async function findUser(ctx: LayerContext, typed: string): Promise<PersistedUser | null> {
  const { account } = await resolveAccount(ctx, typed);
  if (!account?.user) return null;
  const { auth } = await seeAccount(ctx, account);
  return decodeUser(ctx, account.user, auth);
}

/** What password sign-in needs, for `typed` in any case: the stored identifier, the hash, the session version. */
export async function getUserAuth(ctx: LayerContext, typed: string): Promise<UserAuth | null> {
  const { account } = await resolveAccount(ctx, typed);
  if (!account) return null;
  const { auth } = await seeAccount(ctx, account);
  return { ...auth, identifier: account.identifier };
}

/**
 * Creates the user or returns the one that exists, never a second user differing only in case. The USER item is
 * written only when missing, so this never resets what Chainlit wrote. 1 BatchGetItem for a user seen before (every
 * login). A new user: + the alias, USER and AUTH PutItems side by side (4 requests, 2 round trips), where the alias
 * decides between case twins and a loser removes its items and returns the winner (`createAccount`). When the alias
 * already names somebody gone (a stale one), it is re-claimed first, then the two items written.
 */
export async function createUser(ctx: LayerContext, user: User): Promise<PersistedUser> {
  const { identifier, displayName, metadata } = UserSchema.parse(user);
  const resolved = await resolveAccount(ctx, identifier);
  let account = resolved.account;
  const alias = resolved.alias;
  if (!account && alias === null) {
    const created = await createAccount(ctx, identifier, { metadata, displayName });
    if ("user" in created) return decodeUser(ctx, created.user, created.auth);
    // A case twin won the alias meanwhile (its items may still be on their way: written below if missing).
    account = await readAccount(ctx, created.owner);
  }
  if (!account) {
    const owner = alias === identifier ? identifier : await claimAlias(ctx, identifier, alias);
    account = owner === identifier ? { identifier, user: null, auth: null, alias: identifier } : await readAccount(ctx, owner);
  }
  const target: Account = account;
  const [stored, { auth }] = await Promise.all([
    target.user ?? writeUserItem(ctx, target.identifier, metadata),
    seeAccount(ctx, target, { displayName }),
  ]);
  return decodeUser(ctx, stored, auth);
}

/**
 * Chainlit's USER item, only if there is none: one conditional PutItem (what Chainlit's create_user writes, minus the
 * overwrite). If Chainlit (or a concurrent sign-in) wrote it since the read, the put is refused and the stored item,
 * with its createdAt and metadata, is read and returned unchanged.
 */
async function writeUserItem(ctx: LayerContext, identifier: string, metadata: Record<string, unknown>): Promise<Item> {
  const item: Item = { ...userKey(identifier), id: identifier, identifier, createdAt: ctx.now(), metadata };
  const written = await onConditionFailed(
    async () => {
      await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)" }));
      return item;
    },
    () => null,
  );
  if (written) return written;
  const out = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: userKey(identifier), ConsistentRead: true }));
  // Deleted again in between: the next sign-in creates it afresh; this one still gets the user it asked for.
  return out.Item ?? item;
}

/** Sets the hash and ends every session of the user (a new session version). Exactly `identifier`; not_found creates nothing. */
export async function setUserPassword(ctx: LayerContext, identifier: string, passwordHash: string): Promise<void> {
  const account = await readAccount(ctx, identifier);
  if (!accountExists(account)) notFound("user");
  await seeAccount(ctx, account);
  if (!(await updateAuth(ctx, identifier, [["passwordHash", passwordHash], ["sessionVersion", newSessionVersion()]]))) notFound("user");
}

/** "Sign out everywhere": a new session version. False when the user has no AUTH item (so no session either). */
export const revokeUserSessions = (ctx: LayerContext, identifier: string): Promise<boolean> =>
  updateAuth(ctx, identifier, [["sessionVersion", newSessionVersion()]]);

/** SETs on an existing AUTH item only (UpdateItem would otherwise create one holding just these). */
async function updateAuth(ctx: LayerContext, identifier: string, set: Array<readonly [string, unknown]>): Promise<boolean> {
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression({ set }, expr)!;
  return onConditionFailed(
    async () => {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: authKey(identifier),
          UpdateExpression,
          ConditionExpression: `attribute_exists(${expr.name("PK")})`,
          ...expr.attributes(),
        }),
      );
      return true;
    },
    () => false,
  );
}

/** The session version sessions of exactly `identifier` must carry; null once the user is removed. 1 GetItem. */
export async function getSessionVersion(ctx: LayerContext, identifier: string): Promise<string | null> {
  const out = await ctx.doc.send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: authKey(identifier),
      ConsistentRead: true,
      ProjectionExpression: "#v",
      ExpressionAttributeNames: { "#v": "sessionVersion" },
    }),
  );
  const version = out.Item?.sessionVersion;
  return typeof version === "string" ? version : null;
}

/**
 * Deletes the user's items and pins (their threads stay, as in Chainlit); true if there were any. AUTH goes first: from then
 * on no password works and no session passes, whatever happens to the other two.
 */
export async function deleteUser(ctx: LayerContext, identifier: string): Promise<boolean> {
  const auth = await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: authKey(identifier), ReturnValues: "ALL_OLD" }));
  const [user] = await Promise.all([
    ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: userKey(identifier), ReturnValues: "ALL_OLD" })),
    // Their pins go with the account (pins.ts); the threads stay, unpinned.
    deletePins(ctx, identifier),
    // And their retention setting (retention.ts): a user removed with their threads kept (`npm run user -- remove
    // --keep-threads`) must not have the sweep go on deleting those threads.
    ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: retentionKey(identifier) })),
    // Only the alias naming this user: a case twin's stays.
    onConditionFailed(
      () =>
        ctx.doc.send(
          new DeleteCommand({
            TableName: ctx.tableName,
            Key: aliasKey(identifier),
            ConditionExpression: "#i = :i",
            ExpressionAttributeNames: { "#i": "identifier" },
            ExpressionAttributeValues: { ":i": identifier },
          }),
        ),
      () => undefined,
    ),
  ]);
  return Boolean(auth.Attributes || user.Attributes);
}

export interface EnsureUserAuthResult {
  auth: AuthOutcome;
  /** `other`: the lowercase alias names a case twin of this user (both made by Chainlit). */
  alias: "present" | "created" | "other";
}

/**
 * For `npm run doctor`: gives exactly `identifier` its AUTH item (migrating what older versions kept on the USER
 * item) and its alias, as the first sign-in would. Idempotent and safe beside live apps; null when there is no USER item.
 */
export async function ensureUserAuth(ctx: LayerContext, identifier: string): Promise<EnsureUserAuthResult | null> {
  const account = await readAccount(ctx, identifier);
  if (!account.user) return null;
  const { outcome, alias } = await seeAccount(ctx, account);
  return { auth: outcome, alias: account.alias !== null ? (account.alias === identifier ? "present" : "other") : alias === identifier ? "created" : "other" };
}

/** Every user, sorted by identifier: a full Scan, so for the admin tool only, never a request path. */
export async function listUsers(ctx: LayerContext): Promise<PersistedUser[]> {
  const users = new Map<string, { user?: Item; auth?: Item }>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const expr = new ExpressionBuilder();
    const out = await ctx.doc.send(
      new ScanCommand({
        TableName: ctx.tableName,
        FilterExpression: `${expr.name("SK")} IN (${expr.value(USER_SK)}, ${expr.value(AUTH_SK)})`,
        ProjectionExpression: expr.projection(["PK", "SK", "id", "identifier", "displayName", "createdAt", "metadata"]),
        ...expr.attributes(),
        ExclusiveStartKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const entry = users.get(String(item.PK)) ?? {};
      entry[item.SK === USER_SK ? "user" : "auth"] = item;
      users.set(String(item.PK), entry);
    }
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return [...users.values()]
    .flatMap(({ user, auth }) => (user ? [decodeUser(ctx, user, (auth as { displayName?: string | null }) ?? null)] : []))
    .sort((a, b) => a.identifier.localeCompare(b.identifier));
}
