import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBDataLayer, type Step } from "../src/data";
import { conversationOrder } from "../src/lib/shared/thread/build-step-tree";
import { countRequests as countRequestsOf, freshBucket, freshTable, localEnv } from "../test/harness";
import { chainlitGetThread, chainlitGetUser, chainlitListThreads, type ChainlitTable } from "../test/chainlit-reads";
import { DEMO_USERS, demoId, seedDemoData } from "./seed";

const MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

let data: DynamoDBDataLayer;
let counter: ReturnType<typeof countRequestsOf>;
async function countRequests<T>(action: () => Promise<T>) {
  counter.reset();
  const result = await action();
  return { result, byOperation: Object.fromEntries(counter.byOperation) };
}
let close: () => void;
let table: ChainlitTable;
beforeAll(async () => {
  const [{ client, tableName }, { client: s3, bucket }] = await Promise.all([freshTable(), freshBucket()]);
  const env = localEnv(tableName, bucket);
  expect(await seedDemoData(env, () => {})).toBe(true);
  data = new DynamoDBDataLayer({ tableName, client });
  table = { client, tableName };
  counter = countRequestsOf(client);
  close = () => {
    client.destroy();
    s3.destroy();
  };
  // The seed writes (and indexes) 76 threads: slow on a loaded machine.
}, 180_000);
afterAll(() => close?.());

describe("demo seed", () => {
  it("lists alice's threads newest first, each at its own microsecond time, the showcase on top", async () => {
    const page = await data.listThreads({ first: 20 }, { userId: "alice@example.com" });
    expect(page.data[0]!.name).toBe("Q3 sales by region");
    const times = page.data.map((t) => t.updatedAt);
    for (const time of times) expect(time).toMatch(MICROS);
    expect(new Set(times).size).toBe(times.length);
    expect([...times].sort().reverse()).toEqual(times);
    // Spread over months, not squeezed into the moment of seeding.
    expect(Date.parse(times[0]!) - Date.parse(times.at(-1)!)).toBeGreaterThan(7 * 86_400_000);
  });

  it("stores each turn as Chainlit does: user_message → run → tool and answer, in reading order by time", async () => {
    const thread = (await data.getThread(demoId("alice@example.com:0")))!;
    const byId = new Map(thread.steps.map((s) => [s.id, s]));
    const runs = thread.steps.filter((s) => s.type === "run");
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(byId.get(run.parentId ?? "")?.type).toBe("user_message");
      expect(run.output).toBeUndefined();
    }
    const under = (step: Step) => byId.get(step.parentId ?? "")?.type;
    expect(thread.steps.filter((s) => s.type === "assistant_message").map(under)).toEqual(["run", "run"]);
    expect(thread.steps.filter((s) => s.type === "tool").map(under)).toEqual(["run"]);
    for (const step of thread.steps) for (const time of [step.createdAt, step.start, step.end].filter(Boolean)) expect(time).toMatch(MICROS);
    expect(conversationOrder(thread.steps).map((s) => s.id)).toEqual(thread.steps.map((s) => s.id));
    // The first run's rating (the seed's 👍) is on the run, as the thumbs store it.
    expect(runs[0]!.feedback?.value).toBe(1);
  });
});

describe("demo seed, as a Chainlit app on the same table reads it", () => {
  it("lists and opens every demo thread through Chainlit's own reads", async () => {
    for (const user of DEMO_USERS) {
      expect(await chainlitGetUser(table, user.identifier)).toMatchObject({ id: user.identifier, identifier: user.identifier, metadata: { demo: true } });
      const rows = await chainlitListThreads(table, user.identifier);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const thread = (await chainlitGetThread(table, row.id))!;
        expect(thread).toMatchObject({ id: row.id, name: row.name, userId: user.identifier });
        expect(thread.steps.map((s) => s.type)).toContain("user_message");
      }
    }
  });
});

describe("demo seed, searchable", () => {
  it("is indexed as it is written: a search finds words inside alice's messages with nothing to catch up", async () => {
    const { result: states, byOperation } = await countRequests(() => data.searchThreads({ userId: "alice@example.com", query: "details itera", first: 20 }));
    // The catch-up check finds every thread current: no partition read, no rebuild. Queries: the two words' postings,
    // the newest index rows, and (alice's first search: no watermark yet) the walk of her index from the start.
    expect(byOperation.QueryCommand).toBe(4);
    expect(states.data).toHaveLength(20);
    expect(states.pageInfo.hasNextPage).toBe(true);
    expect(states.data[0]!.snippet.filter((part) => part.mark).map((part) => part.text)).toEqual(["details", "Iterate"]);
  });
});
