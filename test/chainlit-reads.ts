/**
 * Test-only: Chainlit's DynamoDB layer's READS, as its Python code does them, strict where it is strict. The writers
 * in data-fixtures.ts prove Threadbook reads what Chainlit writes; these prove the other way round, that a Chainlit
 * app on the same table can still read what Threadbook wrote (docs/chainlit.md, "Reading back").
 *
 * Python's failures are kept as thrown errors, because in Chainlit each is an HTTP 500 (or a resume that fails):
 * a missing key is `KeyError`, sorting steps whose `createdAt` is not a string on every step is `TypeError`, and a
 * set or binary attribute in what get_thread returns cannot be encoded as JSON for the browser.
 */
import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from "@aws-sdk/client-dynamodb";

export interface ChainlitTable {
  client: DynamoDBClient;
  tableName: string;
}

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue } | PySet | PyBytes;
/** What boto3's TypeDeserializer gives for SS/NS/BS and B: values json.dumps refuses. */
class PySet {
  constructor(readonly type: "SS" | "NS" | "BS") {}
}
class PyBytes {}
type PyDict = Record<string, PyValue>;

export class PythonError extends Error {
  constructor(kind: "KeyError" | "TypeError" | "ValueError", detail: string) {
    super(`${kind}: ${detail}`);
    this.name = kind;
  }
}

/** boto3's TypeDeserializer, then Chainlit's convert_decimals (every number a float; a float in JS is a number). */
function deserialize(value: AttributeValue): PyValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(deserialize);
  if (value.M !== undefined) return deserializeItem(value.M);
  if (value.SS !== undefined) return new PySet("SS");
  if (value.NS !== undefined) return new PySet("NS");
  if (value.BS !== undefined) return new PySet("BS");
  if (value.B !== undefined) return new PyBytes();
  throw new Error(`unknown attribute value ${JSON.stringify(value)}`);
}

function deserializeItem(item: Record<string, AttributeValue>): PyDict {
  return Object.fromEntries(Object.entries(item).map(([key, value]) => [key, deserialize(value)]));
}

/** `d[key]`: Python raises KeyError when it is absent (None is a value). */
function key(dict: PyDict, name: string, where: string): PyValue {
  if (!(name in dict)) throw new PythonError("KeyError", `'${name}' (${where})`);
  return dict[name]!;
}

/** Python's `str.strip(chars)`: removes any of the characters from both ends (Chainlit uses it as a prefix cut). */
export function pyStrip(value: string, chars: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && chars.includes(value[start]!)) start++;
  while (end > start && chars.includes(value[end - 1]!)) end--;
  return value.slice(start, end);
}

/** `json.dumps` of what the server returns: refuses sets and bytes (the browser never gets the thread). */
export function assertJsonEncodable(value: PyValue, path = "$"): void {
  if (value instanceof PySet || value instanceof PyBytes) throw new PythonError("TypeError", `Object of type ${value instanceof PySet ? "set" : "bytes"} is not JSON serializable at ${path}`);
  if (Array.isArray(value)) value.forEach((v, i) => assertJsonEncodable(v, `${path}[${i}]`));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) assertJsonEncodable(v, `${path}.${k}`);
}

/** Python's `<` between two sort keys: str with str, number with number; anything else (None too) is a TypeError. */
function pyLess(a: PyValue, b: PyValue): boolean {
  if (typeof a === "string" && typeof b === "string") return a < b;
  if (typeof a === "number" && typeof b === "number") return a < b;
  throw new PythonError("TypeError", `'<' not supported between ${pyType(a)} and ${pyType(b)}`);
}
const pyType = (v: PyValue) => (v === null ? "NoneType" : typeof v === "string" ? "str" : typeof v === "number" ? "float" : typeof v);

/** `list.sort(key=…)`: stable; compares only when there are two or more. */
function pySort<T>(items: T[], keyOf: (item: T) => PyValue): T[] {
  const keyed = items.map((item, index) => ({ item, index, key: keyOf(item) }));
  keyed.sort((a, b) => (pyLess(a.key, b.key) ? -1 : pyLess(b.key, a.key) ? 1 : a.index - b.index));
  return keyed.map((k) => k.item);
}

async function queryAll(table: ChainlitTable, input: Omit<QueryCommandInput, "TableName">): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await table.client.send(new QueryCommand({ TableName: table.tableName, ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** get_user: GetItem, then PersistedUser(id, identifier, createdAt, metadata) by key. */
export async function chainlitGetUser(table: ChainlitTable, identifier: string) {
  const out = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: { PK: { S: `USER#${identifier}` }, SK: { S: "USER" } } }));
  if (!out.Item) return null;
  const user = deserializeItem(out.Item);
  const where = `user ${identifier}`;
  return { id: key(user, "id", where), identifier: key(user, "identifier", where), createdAt: key(user, "createdAt", where), metadata: key(user, "metadata", where) };
}

/**
 * get_thread: every page of the partition (eventually consistent), THREAD / ELEMENT* / STEP* by SK prefix (anything
 * else ignored), each element's url re-signed from `objectKey` (a storage provider is configured), each step's
 * feedback value cast with int(), steps sorted by `createdAt`. Returns the dict json.dumps is given.
 */
export async function chainlitGetThread(table: ChainlitTable, threadId: string) {
  const items = (await queryAll(table, { KeyConditionExpression: "#pk = :pk", ExpressionAttributeNames: { "#pk": "PK" }, ExpressionAttributeValues: { ":pk": { S: `THREAD#${threadId}` } } })).map(deserializeItem);
  if (items.length === 0) return null;
  let thread: PyDict | null = null;
  const steps: PyDict[] = [];
  const elements: PyDict[] = [];
  for (const item of items) {
    const sk = key(item, "SK", "item");
    if (typeof sk !== "string") throw new PythonError("TypeError", "SK is not a str");
    if (sk === "THREAD") thread = item;
    else if (sk.startsWith("ELEMENT")) {
      const objectKey = key(item, "objectKey", sk);
      if (typeof objectKey !== "string") throw new PythonError("TypeError", `objectKey of ${sk} is ${pyType(objectKey)}`);
      elements.push({ ...item, url: `signed:${objectKey}` });
    } else if (sk.startsWith("STEP")) {
      if ("feedback" in item) {
        const feedback = item.feedback as PyDict;
        const value = key(feedback, "value", `${sk} feedback`);
        if (typeof value !== "number" || !Number.isFinite(value)) throw new PythonError("TypeError", `int() of ${pyType(value)} (${sk} feedback)`);
        feedback.value = Math.trunc(value);
      }
      steps.push(item);
    }
  }
  if (!thread) return null; // orphaned items: only logged
  const sorted = pySort(steps, (step) => key(step, "createdAt", `step ${String(step.SK)}`));
  const result = { ...thread, steps: sorted, elements } as PyDict;
  assertJsonEncodable(result);
  return result as PyDict & { steps: PyDict[]; elements: PyDict[] };
}

/** get_thread_author: GetItem projected to userId, then item["userId"]. */
export async function chainlitGetThreadAuthor(table: ChainlitTable, threadId: string): Promise<PyValue> {
  const out = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: { PK: { S: `THREAD#${threadId}` }, SK: { S: "THREAD" } }, ProjectionExpression: "userId" }));
  if (!out.Item) throw new PythonError("ValueError", `Author not found for thread_id ${threadId}`);
  return key(deserializeItem(out.Item), "userId", `thread ${threadId}`);
}

/**
 * list_threads, every page of it (its page is 10 rows): the UserThread index newest first, each row
 * `ThreadDict(id=PK.strip("THREAD#"), createdAt=UserThreadSK.strip("TS#"), name=item["name"])`.
 */
export async function chainlitListThreads(table: ChainlitTable, userId: string) {
  const rows: { id: string; createdAt: string; name: PyValue }[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: "UserThread",
        ScanIndexForward: false,
        Limit: 10,
        KeyConditionExpression: "#UserThreadPK = :pk",
        ExpressionAttributeNames: { "#UserThreadPK": "UserThreadPK" },
        ExpressionAttributeValues: { ":pk": { S: `USER#${userId}` } },
        ExclusiveStartKey: start,
      }),
    );
    for (const raw of out.Items ?? []) {
      const item = deserializeItem(raw);
      const where = `row ${String(item.PK)}`;
      rows.push({ id: pyStrip(String(key(item, "PK", where)), "THREAD#"), createdAt: pyStrip(String(key(item, "UserThreadSK", where)), "TS#"), name: key(item, "name", where) });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

/** get_favorite_steps: the user's thread ids from the index, then each thread's STEP# items with metadata.favorite. */
export async function chainlitGetFavoriteSteps(table: ChainlitTable, userId: string) {
  const index = await queryAll(table, { IndexName: "UserThread", KeyConditionExpression: "#p = :pk", ExpressionAttributeNames: { "#p": "UserThreadPK" }, ExpressionAttributeValues: { ":pk": { S: `USER#${userId}` } } });
  const favorites: PyDict[] = [];
  for (const row of index) {
    const pk = row.PK?.S;
    if (!pk) continue;
    const steps = await queryAll(table, {
      KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :p)",
      FilterExpression: "#m.#f = :t",
      ExpressionAttributeNames: { "#pk": "PK", "#sk": "SK", "#m": "metadata", "#f": "favorite" },
      ExpressionAttributeValues: { ":pk": { S: pk }, ":p": { S: "STEP#" }, ":t": { BOOL: true } },
    });
    favorites.push(...steps.map(deserializeItem));
  }
  assertJsonEncodable(favorites);
  return favorites;
}
