/**
 * Users: `USER#{identifier}` / `USER` (seed, "Design"). Chainlit's create_user was an unconditional PutItem run on
 * every login, resetting createdAt and metadata each time; here creation is one conditional-per-attribute UpdateItem.
 */
import { DeleteCommand, GetCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { decodeItem, type Item } from "../codec";
import { PersistedUserSchema, UserSchema, type PersistedUser, type User } from "../entities/user";
import { USER_SK, userPk } from "../keys";
import { type LayerContext } from "./context";
import { notFound, onConditionFailed } from "./edge";
import { buildUpdateExpression, ExpressionBuilder } from "./update-expression";

const userKey = (identifier: string) => ({ PK: userPk(identifier), SK: USER_SK });

/** Everything a PersistedUser has; the projection keeps `passwordHash` off the wire on ordinary reads. */
const USER_ATTRIBUTES = ["id", "identifier", "displayName", "createdAt", "metadata"] as const;

function projection(attributes: readonly string[]) {
  const expr = new ExpressionBuilder();
  return { ProjectionExpression: expr.projection(attributes), ExpressionAttributeNames: expr.names };
}

/** Chainlit's id is the identifier itself (no UUID); the key fills it when an item lacks one. */
const decodeUser = (item: Item) =>
  decodeItem(PersistedUserSchema, item, { id: item.identifier, identifier: item.identifier });

export async function getUser(ctx: LayerContext, identifier: string): Promise<PersistedUser | null> {
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: userKey(identifier), ConsistentRead: true, ...projection(USER_ATTRIBUTES) }),
  );
  return out.Item ? decodeUser({ identifier, ...out.Item }) : null;
}

/** Creates the user or returns the stored one: every attribute is `if_not_exists`, so a login never resets it. */
export async function createUser(ctx: LayerContext, user: User): Promise<PersistedUser> {
  const { identifier, displayName, metadata } = UserSchema.parse(user);
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression(
    {
      setIfNotExists: [
        ["id", identifier],
        ["identifier", identifier],
        ["createdAt", ctx.now()],
        ["metadata", metadata],
        ...(displayName != null ? [["displayName", displayName] as const] : []),
      ],
    },
    expr,
  )!;
  const out = await ctx.doc.send(
    new UpdateCommand({ TableName: ctx.tableName, Key: userKey(identifier), UpdateExpression, ...expr.attributes(), ReturnValues: "ALL_NEW" }),
  );
  return decodeUser(out.Attributes ?? {});
}

/** The hash lives on the user item (Chainlit ignores attributes it does not know); only auth reads it. */
export async function getUserPasswordHash(ctx: LayerContext, identifier: string): Promise<string | null> {
  const out = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: userKey(identifier), ConsistentRead: true, ...projection(["passwordHash"]) }),
  );
  const hash = out.Item?.passwordHash;
  return typeof hash === "string" ? hash : null;
}

export async function setUserPassword(ctx: LayerContext, identifier: string, passwordHash: string): Promise<void> {
  const expr = new ExpressionBuilder();
  const UpdateExpression = buildUpdateExpression({ set: [["passwordHash", passwordHash]] }, expr)!;
  await onConditionFailed(
    () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: userKey(identifier),
          UpdateExpression,
          // Without the condition UpdateItem would create a user item holding nothing but a hash.
          ConditionExpression: `attribute_exists(${expr.name("PK")})`,
          ...expr.attributes(),
        }),
      ),
    () => notFound("user"),
  );
}

/** Deletes the user item only (their threads stay, as in Chainlit); true if it existed. */
export async function deleteUser(ctx: LayerContext, identifier: string): Promise<boolean> {
  return onConditionFailed(
    async () => {
      await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: userKey(identifier), ConditionExpression: "attribute_exists(PK)" }));
      return true;
    },
    () => false,
  );
}

/** Every user, sorted by identifier: a full Scan, so for the admin tool only, never a request path. */
export async function listUsers(ctx: LayerContext): Promise<PersistedUser[]> {
  const users: PersistedUser[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const expr = new ExpressionBuilder();
    const out = await ctx.doc.send(
      new ScanCommand({
        TableName: ctx.tableName,
        FilterExpression: `${expr.name("SK")} = ${expr.value(USER_SK)}`,
        ProjectionExpression: expr.projection(USER_ATTRIBUTES),
        ...expr.attributes(),
        ExclusiveStartKey,
      }),
    );
    users.push(...(out.Items ?? []).map(decodeUser));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return users.sort((a, b) => a.identifier.localeCompare(b.identifier));
}
