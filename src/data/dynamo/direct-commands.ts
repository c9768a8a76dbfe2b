/**
 * The document client's commands the layer sends most, carried by the direct sender (dynamo/dynamo-direct.ts): input
 * marshalled by the project's wire marshaller (dynamo/wire-marshall.ts), output read back by the project's codec (dynamo/codec.ts),
 * the same shapes the document client would return. Any other command, a command with legacy parameters, or a call
 * with options goes through the SDK client unchanged.
 */
import { QueryCommand as WireQueryCommand } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { unmarshallItem } from "./codec";
import { type DynamoDirectSender, type WireInput, type WireOutput } from "./dynamo-direct";
import { toWireMap } from "./wire-marshall";

type WireItem = Parameters<typeof unmarshallItem>[0];
type Command = { input: Record<string, unknown> };
type Translation = { operation: string; input: (input: Record<string, unknown>) => WireInput; output: (output: WireOutput) => Record<string, unknown> };

/** Parameters the wire marshaller does not translate: the SDK still carries a call that uses one. */
const LEGACY = ["AttributeUpdates", "Expected", "KeyConditions", "QueryFilter", "ConditionalOperator"];

const map = (record: unknown) => toWireMap(record as Record<string, unknown>);
const item = (wire: unknown) => (wire === undefined ? undefined : unmarshallItem(wire as WireItem));
const items = (wire: unknown) => (wire === undefined ? undefined : (wire as WireItem[]).map(unmarshallItem));

/** Copies `input`, marshalling the members that hold attribute values. */
function withValues(input: Record<string, unknown>, members: readonly string[]): WireInput {
  const out: WireInput = { ...input };
  for (const member of members) if (input[member] !== undefined) out[member] = map(input[member]);
  return out;
}

/** Copies `output`, unmarshalling the members that hold items. */
function withItems(output: WireOutput, members: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...output };
  for (const member of members) if (output[member] !== undefined) out[member] = item(output[member]);
  return out;
}

function perTable<T>(requests: unknown, each: (value: T) => unknown): Record<string, unknown> | undefined {
  if (requests === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [table, value] of Object.entries(requests as Record<string, T>)) out[table] = each(value);
  return out;
}

type KeysAndAttributes = { Keys: unknown[] } & Record<string, unknown>;
type WriteRequest = { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } };

const writeRequests = (requests: WriteRequest[], convert: (value: unknown) => unknown) =>
  requests.map((r) => (r.PutRequest ? { PutRequest: { Item: convert(r.PutRequest.Item) } } : { DeleteRequest: { Key: convert(r.DeleteRequest!.Key) } }));

const WRITE_VALUES = ["ExpressionAttributeValues"] as const;

const TRANSLATIONS = new Map<object, Translation>([
  [GetCommand, { operation: "GetItem", input: (i) => withValues(i, ["Key"]), output: (o) => withItems(o, ["Item"]) }],
  [PutCommand, { operation: "PutItem", input: (i) => withValues(i, ["Item", ...WRITE_VALUES]), output: (o) => withItems(o, ["Attributes"]) }],
  [UpdateCommand, { operation: "UpdateItem", input: (i) => withValues(i, ["Key", ...WRITE_VALUES]), output: (o) => withItems(o, ["Attributes"]) }],
  [DeleteCommand, { operation: "DeleteItem", input: (i) => withValues(i, ["Key", ...WRITE_VALUES]), output: (o) => withItems(o, ["Attributes"]) }],
  [
    QueryCommand,
    {
      operation: "Query",
      input: (i) => withValues(i, ["ExclusiveStartKey", ...WRITE_VALUES]),
      output: (o) => ({ ...withItems(o, ["LastEvaluatedKey"]), Items: items(o.Items) }),
    },
  ],
  [
    BatchGetCommand,
    {
      operation: "BatchGetItem",
      input: (i) => ({ ...i, RequestItems: perTable<KeysAndAttributes>(i.RequestItems, (r) => ({ ...r, Keys: r.Keys.map(map) })) }),
      output: (o) => ({
        ...o,
        Responses: perTable<unknown>(o.Responses, items),
        UnprocessedKeys: perTable<KeysAndAttributes>(o.UnprocessedKeys, (r) => ({ ...r, Keys: r.Keys.map(item) })),
      }),
    },
  ],
  // The low-level Query (partition.ts): its input and output are already the wire's; the caller decodes the items.
  [WireQueryCommand, { operation: "Query", input: (i) => ({ ...i }) as WireInput, output: (o) => o }],
  [
    BatchWriteCommand,
    {
      operation: "BatchWriteItem",
      input: (i) => ({ ...i, RequestItems: perTable<WriteRequest[]>(i.RequestItems, (r) => writeRequests(r, map)) }),
      output: (o) => ({ ...o, UnprocessedItems: perTable<WriteRequest[]>(o.UnprocessedItems, (r) => writeRequests(r, item)) }),
    },
  ],
]);

function translationOf(command: unknown, options: unknown): Translation | undefined {
  if (options !== undefined || typeof command !== "object" || command === null) return undefined;
  const translation = TRANSLATIONS.get(command.constructor);
  if (!translation) return undefined;
  const input = (command as Command).input;
  return LEGACY.some((member) => input[member] !== undefined) ? undefined : translation;
}

/** Routes the document client's common commands through the direct sender; the rest keep the SDK path. */
export function routeThroughDirectSender(doc: DynamoDBDocumentClient, sender: DynamoDirectSender): void {
  const sdkSend = doc.send.bind(doc) as (command: unknown, options?: unknown) => Promise<unknown>;
  const send = async (command: unknown, options?: unknown): Promise<unknown> => {
    const translation = translationOf(command, options);
    if (!translation) return sdkSend(command, options);
    const input = (command as Command).input;
    return translation.output(await sender.send(translation.operation, translation.input(input)));
  };
  (doc as unknown as { send: typeof send }).send = send;
}
