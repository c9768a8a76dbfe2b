import { randomUUID } from "node:crypto";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, DynamoDBDataLayer } from "@/data";
import { callerFor, createTestServices, newThread, sessionUser } from "../../../test/callers";
import { freshTable } from "../../../test/harness";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/fake-openai";
import { createOpenAIAssistant } from "../assistant/openai-assistant";
import type { Services } from "../services";
import { createInnerContext } from "../context";
import { createCaller } from "../root";
import { uploadElement } from "./uploads/upload-element";
import { chainlitThread, chainlitTurn } from "../../../test/data-fixtures";
import { REPLY_MAX_CHARS, type ChatEvent } from "./continue-thread";

let fake: FakeOpenAI;
let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  fake = await startFakeOpenAI({ tokenDelayMs: 2 });
  services = await createTestServices({ assistant: createOpenAIAssistant({ baseUrl: fake.baseUrl, apiKey: "test-key", model: "fake-model" }) });
});
afterAll(async () => {
  await services.close();
  await fake.stop();
});

async function collect(iterable: AsyncIterable<ChatEvent>, stopAfterTokens = Infinity, abort?: AbortController): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  let tokens = 0;
  for await (const event of iterable) {
    events.push(event);
    // A client that goes away: abort the request and stop reading (tRPC returns the generator early).
    if (event.type === "token" && ++tokens >= stopAfterTokens) {
      abort?.abort();
      break;
    }
  }
  return events;
}

const bytesOf = (s: string) => new Blob([s]).stream();

describe("chat.send", () => {
  it("streams the reply and stores the turn in Chainlit's shape: user_message, run, assistant_message under it", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    const messageId = randomUUID();
    const events = await collect(await callerFor(services, alice).chat.send({ threadId, messageId, content: "Hello there" }));
    const tokens = events.filter((e) => e.type === "token").map((e) => (e as { text: string }).text);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join("")).toBe("Echo: Hello there");
    expect(events.at(-1)).toMatchObject({ type: "done", output: "Echo: Hello there", cancelled: false });
    expect(fake.requests.at(-1)!.authorization).toBe("Bearer test-key");

    const thread = await services.data.getThread(threadId);
    expect(thread?.name).toBe("Hello there");
    expect(thread?.userId).toBe(alice.id);
    const [user, run, reply] = thread!.steps;
    expect(user).toMatchObject({ id: messageId, type: "user_message", output: "Hello there" });
    // Nested as Chainlit's on_message nests it: the run under the message, the reply under the run.
    expect(run).toMatchObject({ type: "run", name: "on_message", parentId: messageId, input: "Hello there" });
    expect(run!.output).toBeUndefined();
    expect(reply).toMatchObject({ type: "assistant_message", parentId: run!.id, output: "Echo: Hello there", streaming: false });
    expect(run!.end).toBeTruthy();
    // Microsecond times from the process clock, strictly increasing in write order.
    const times = [user!.createdAt, run!.createdAt, reply!.createdAt, run!.end].map(String);
    for (const time of times) expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(new Set(times).size).toBe(4);
    expect([...times].sort()).toEqual(times);
    expect(reply!.end).toBe(run!.end);
    // Feedback goes on the new run step, as the buttons will.
    await callerFor(services, alice).feedback.upsert({ threadId, forId: run!.id, value: 1 });
    const list = await callerFor(services, alice).threads.list({ feedback: 1 });
    expect(list.data.map((t) => t.id)).toEqual([threadId]);
  });

  it("asks the model after one DynamoDB round trip, and passes its first token on without waiting for a write", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    let answeredWhenAsked = -1;
    const assistant = {
      ...services.assistant,
      stream(...args: Parameters<Services["assistant"]["stream"]>) {
        answeredWhenAsked = services.requests.settled - before;
        return services.assistant.stream(...args);
      },
    };
    // The claim on the thread (thread-claim.ts) is sent before anything of the call has been answered: beside the read.
    let answeredWhenClaimed = -1;
    const data = Object.create(services.data, {
      takeLease: {
        value: (...args: Parameters<typeof services.data.takeLease>) => {
          answeredWhenClaimed = services.requests.settled - before;
          return services.data.takeLease(...args);
        },
      },
    }) as typeof services.data;
    const before = services.requests.settled;
    const messageId = randomUUID();
    const events: ChatEvent[] = [];
    let [answeredAtStart, answeredAtFirstToken] = [-1, -1];
    for await (const event of await callerFor({ ...services, assistant, data }, alice).chat.send({ threadId, messageId, content: "Quick one" })) {
      if (event.type === "start") answeredAtStart = services.requests.settled;
      if (event.type === "token" && answeredAtFirstToken < 0) answeredAtFirstToken = services.requests.settled;
      events.push(event);
    }
    // Only the gate's round trip was waited on (its read of the thread and, beside it, the sender's message budget and
    // the claim on the thread); the message, the thread's touch and the run were in flight.
    expect(answeredWhenAsked).toBe(3);
    expect(answeredWhenClaimed).toBe(0);
    // Between the turn's first writes landing and the first token, nothing more was waited for: the reply's own
    // first write goes out with the token.
    expect(answeredAtStart).toBeGreaterThan(before + 1);
    expect(answeredAtFirstToken).toBe(answeredAtStart);
    expect(events.at(-1)).toMatchObject({ type: "done", output: "Echo: Quick one" });
    const thread = await services.data.getThread(threadId);
    expect(thread!.name).toBe("Quick one");
    expect(thread!.steps.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message"]);
  });

  it("sends the history and moves the thread to the top of the list", async () => {
    const alice = sessionUser();
    const caller = callerFor(services, alice);
    const older = await newThread(services, alice);
    const newer = await newThread(services, alice);
    await collect(await caller.chat.send({ threadId: older, messageId: randomUUID(), content: "first thread" }));
    await collect(await caller.chat.send({ threadId: newer, messageId: randomUUID(), content: "second thread" }));
    expect((await caller.threads.list({})).data.map((t) => t.id)).toEqual([newer, older]);
    await collect(await caller.chat.send({ threadId: older, messageId: randomUUID(), content: "follow-up" }));
    expect((await caller.threads.list({})).data.map((t) => t.id)).toEqual([older, newer]);
    const sent = fake.requests.at(-1)!.messages.map((m) => [m.role, m.content]);
    expect(sent).toEqual([
      ["user", "first thread"],
      ["assistant", "Echo: first thread"],
      ["user", "follow-up"],
    ]);
    expect((await services.data.getThread(older))?.name).toBe("first thread");
  });

  it("continues a thread Chainlit wrote: its turn reads first in the history, and the new turn has Chainlit's shape", async () => {
    const alice = sessionUser();
    const threadId = randomUUID();
    const { doc, tableName } = services.data.context;
    // The browser that asked ran 5 s fast: by time alone its question would follow its own answer.
    const chainlit = chainlitTurn(alice.id, threadId, { question: "from chainlit", answer: "chainlit answer", askedAt: "2025-03-04T10:11:18.345Z" });
    for (const Item of [chainlitThread(alice.id, threadId).thread, ...chainlit.steps]) await doc.send(new PutItemCommand({ TableName: tableName, Item }));
    const messageId = randomUUID();
    await collect(await callerFor(services, alice).chat.send({ threadId, messageId, content: "from threadbook" }));
    expect(fake.requests.at(-1)!.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "from chainlit"],
      ["assistant", "chainlit answer"],
      ["user", "from threadbook"],
    ]);
    const steps = (await services.data.getThread(threadId))!.steps;
    const byId = new Map(steps.map((s) => [s.id, s]));
    const shapeOf = (message: string) => {
      const run = steps.find((s) => s.type === "run" && s.parentId === message)!;
      const reply = steps.find((s) => s.parentId === run.id)!;
      return [byId.get(message)?.type, byId.get(message)?.parentId ?? null, run.name, run.input, reply.type];
    };
    expect(shapeOf(messageId)).toEqual(["user_message", null, "on_message", "from threadbook", "assistant_message"]);
    expect(shapeOf(messageId)).toEqual(shapeOf(chainlit.messageId).map((v) => (v === "from chainlit" ? "from threadbook" : v)));
  });

  it("continues a Chainlit thread with files on both sides: Chainlit's stored file is named in the history, the new message's file is read, and both stay the thread's", async () => {
    const alice = sessionUser();
    const threadId = randomUUID();
    const { doc, tableName } = services.data.context;
    // Chainlit's first message carries a file stored under Chainlit's key (`{identifier}/{thread}/{element}`).
    const written = chainlitThread(alice.id, threadId);
    const turn = chainlitTurn(alice.id, threadId, { question: "from chainlit", answer: "chainlit answer" });
    for (const Item of [...written.items, ...turn.steps]) await doc.send(new PutItemCommand({ TableName: tableName, Item }));
    await services.storage.uploadFile({ objectKey: written.objectKey, data: "%PDF-1.4", mime: "application/octet-stream" });
    const messageId = randomUUID();
    const upload = await uploadElement(services, alice, { threadId, elementId: randomUUID(), forId: messageId, fileName: "notes.txt", mime: "text/plain", contentLength: 5, body: bytesOf("notes") });
    expect(upload.status).toBe(201);
    await collect(await callerFor(services, alice).chat.send({ threadId, messageId, content: "and these notes" }));
    const sent = fake.requests.at(-1)!.messages.map((m) => [m.role, JSON.stringify(m.content)]);
    expect(sent.map(([role]) => role)).toEqual(["user", "user", "assistant", "user"]);
    expect(sent[0]![1]).toContain("(Attached file report.pdf, application/pdf, not readable as text.)");
    expect(sent[3]![1]).toContain("Attached file notes.txt:\\n\\nnotes");
    const elements = (await services.data.getThread(threadId))!.elements;
    expect(elements.map((e) => [e.name, e.forId, e.objectKey === written.objectKey])).toEqual(
      expect.arrayContaining([
        ["report.pdf", written.stepA, true],
        ["notes.txt", messageId, false],
      ]),
    );
  });

  it("on a thread longer than one Query's page, sends the newest messages whole and in order, reading only those whole", async () => {
    const alice = sessionUser();
    const threadId = randomUUID();
    const { doc, tableName } = services.data.context;
    // 700 Chainlit turns with 2,000-character answers: about 1.6 MB, so most steps come skimmed out of the outline.
    const turns = Array.from({ length: 700 }, (_, i) => {
      const at = (ms: number) => new Date(Date.UTC(2025, 2, 4) + i * 10_000 + ms).toISOString();
      return chainlitTurn(alice.id, threadId, { question: `q${i}`, answer: `a${i} `.padEnd(2_000, "x"), askedAt: at(0), ranAt: at(1), repliedAt: at(2), endedAt: at(3) });
    });
    const items = [chainlitThread(alice.id, threadId).thread, ...turns.flatMap((t) => t.steps)];
    for (let i = 0; i < items.length; i += 50) await Promise.all(items.slice(i, i + 50).map((Item) => doc.send(new PutItemCommand({ TableName: tableName, Item }))));

    const before = new Map(services.requests.byOperation);
    await collect(await callerFor(services, alice).chat.send({ threadId, messageId: randomUUID(), content: "and now?" }));
    const sent = fake.requests.at(-1)!.messages.map((m) => [m.role, String(m.content)] as const);
    const batchGets = (services.requests.byOperation.get("BatchGetItemCommand") ?? 0) - (before.get("BatchGetItemCommand") ?? 0);

    expect(sent.at(-1)).toEqual(["user", "and now?"]);
    // The newest turns, whole (a skimmed step would come without its answer), in conversation order.
    expect(sent.at(-3)).toEqual(["user", "q699"]);
    expect(sent.at(-2)).toEqual(["assistant", `a699 `.padEnd(2_000, "x")]);
    const earlier = sent.slice(0, -1);
    expect(earlier.every(([role], i) => role === (i % 2 === 0 ? "user" : "assistant"))).toBe(true);
    expect(earlier.filter(([role]) => role === "assistant").every(([, content]) => content.length === 2_000)).toBe(true);
    // The assistant's character budget (200,000 by default) holds about 99 of these turns, not all 700.
    expect(earlier.length).toBeGreaterThan(150);
    expect(earlier.length).toBeLessThan(400);
    // Only the newest messages were read whole (at most 400: 4 BatchGetItems of 100), never the 2,100 steps.
    expect(batchGets).toBeGreaterThanOrEqual(1);
    expect(batchGets).toBeLessThanOrEqual(4);
  });

  it("reads a bounded number of bytes of history however large the thread's older messages are (hostile: an import of huge replies)", async () => {
    const alice = sessionUser();
    const threadId = randomUUID();
    const { doc, tableName } = services.data.context;
    const at = (i: number, ms: number) => new Date(Date.UTC(2025, 2, 4) + i * 10_000 + ms).toISOString();
    const turn = (i: number, answer: string) =>
      chainlitTurn(alice.id, threadId, { question: `q${i}`, answer, askedAt: at(i, 0), ranAt: at(i, 1), repliedAt: at(i, 2), endedAt: at(i, 3) });
    // 60 old turns whose replies are 350,000 characters each (21 MB), then 20 ordinary turns.
    const huge = Array.from({ length: 60 }, (_, i) => turn(i, `a${i} `.padEnd(350_000, "x")));
    const recent = Array.from({ length: 20 }, (_, i) => turn(60 + i, `a${60 + i} `.padEnd(2_000, "y")));
    const items = [chainlitThread(alice.id, threadId).thread, ...[...huge, ...recent].flatMap((t) => t.steps)];
    for (let i = 0; i < items.length; i += 10) await Promise.all(items.slice(i, i + 10).map((Item) => doc.send(new PutItemCommand({ TableName: tableName, Item }))));

    const measure = services.requests.measureAnswerBytes();
    await collect(await callerFor(services, alice).chat.send({ threadId, messageId: randomUUID(), content: "and now?" }));
    const read = measure.stop();
    const sent = fake.requests.at(-1)!.messages.map((m) => [m.role, String(m.content)] as const);

    // What reaches the model is what the character budget (200,000) keeps of the whole history: the 20 ordinary
    // turns; the newest huge reply does not fit, and nothing older than it is sent.
    expect(sent).toEqual([...recent.flatMap((_, i) => [["user", `q${60 + i}`], ["assistant", `a${60 + i} `.padEnd(2_000, "y")]]), ["user", "and now?"]]);
    // The turn read the outline and at most 16 MB of messages (a few of the huge replies), not the 21 MB of them.
    expect(read).toBeLessThan(18 * 1024 * 1024);
  });

  it("keeps what streamed before a cancel", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    const abort = new AbortController();
    const caller = createCaller(createInnerContext({ user: alice, services }), { signal: abort.signal });
    const events = await collect(await caller.chat.send({ threadId, messageId: randomUUID(), content: "[slow] talk a lot" }), 5, abort);
    // The client saw the start and exactly the five tokens it read before it went away; a failed stream fails here.
    expect(events[0]?.type).toBe("start");
    const tokens = events.flatMap((e) => (e.type === "token" ? [e.text] : []));
    expect(tokens).toHaveLength(5);
    const streamed = tokens.join("");
    expect(streamed).toMatch(/^word0/);
    // The server side finishes its bookkeeping after the client stops listening: poll the store.
    let reply;
    for (let i = 0; i < 50 && !reply?.end; i++) {
      await new Promise((r) => setTimeout(r, 100));
      reply = (await services.data.getThread(threadId))?.steps.find((s) => s.type === "assistant_message");
    }
    expect(reply?.output).toMatch(/^word0 word1 word2 word3 word4/);
    expect(reply?.output?.startsWith(streamed)).toBe(true);
    expect(reply?.output?.split(" ").length).toBeLessThan(400);
    expect(reply?.metadata).toMatchObject({ cancelled: true });
    expect(reply?.streaming).toBe(false);
  });

  it("keeps streaming while a checkpoint write hangs or fails, and the end's write keeps the whole reply", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    // The table stops answering a checkpoint (a throttled or slow write): held until tokens have gone on past it or
    // 5 s have passed, then it fails. Everything else reaches dynalite as usual.
    let tokens = 0;
    let tokensAtHold = -1;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const data = new Proxy(services.data, {
      get(target, property, receiver) {
        // The reply's writes after its first: updates of its own answer, only while it exists (reply-guard.ts).
        if (property !== "updateExistingStep") return Reflect.get(target, property, receiver) as unknown;
        return async (...args: Parameters<typeof target.updateExistingStep>) => {
          if (args[0].streaming === true && tokensAtHold < 0) {
            tokensAtHold = tokens;
            await Promise.race([released, new Promise((r) => setTimeout(r, 5_000))]);
            throw new Error("checkpoint write failed");
          }
          return target.updateExistingStep(...args);
        };
      },
    });
    const events: ChatEvent[] = [];
    for await (const event of await callerFor({ ...services, data }, alice).chat.send({ threadId, messageId: randomUUID(), content: "[slow] talk a lot" })) {
      events.push(event);
      if (event.type === "token" && ++tokens === tokensAtHold + 20 && tokensAtHold >= 0) release();
    }
    // The checkpoint came (≈ 1.5 s in), and 20 more tokens reached the reader while it hung.
    expect(tokensAtHold).toBeGreaterThan(0);
    expect(tokens).toBe(400);
    const reply = events.at(-1);
    expect(reply).toMatchObject({ type: "done", cancelled: false });
    const stored = (await services.data.getThread(threadId))?.steps.find((s) => s.type === "assistant_message");
    expect(stored?.output).toBe(reply?.type === "done" ? reply.output : null);
    expect(stored?.output?.split(" ")).toHaveLength(400);
    expect(stored?.streaming).toBe(false);
  });

  it("cuts a reply that never ends at REPLY_MAX_CHARS, closes the model's stream and says so (hostile: an endless stream)", async () => {
    const alice = sessionUser();
    // A model caught in a loop: 100,000 characters a chunk for as long as it is read (stopped at 12 here, so that
    // without the cut the test ends, failing, instead of filling the table).
    const chunk = "loop ".repeat(20_000);
    let sent = 0;
    let closed = false;
    const endless = {
      name: "looping-model",
      isDemo: false,
      async *stream() {
        try {
          while (sent < 12) {
            sent++;
            yield chunk;
          }
        } finally {
          closed = true;
        }
      },
    };
    const looping = { ...services, assistant: endless };
    const threadId = await newThread(looping, alice);
    const events = await collect(await callerFor(looping, alice).chat.send({ threadId, messageId: randomUUID(), content: "count forever" }));
    const streamed = events.flatMap((e) => (e.type === "token" ? [e.text] : [])).join("");
    expect(streamed.length).toBe(REPLY_MAX_CHARS);
    expect(sent).toBeLessThanOrEqual(REPLY_MAX_CHARS / chunk.length + 1);
    expect(closed).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "error", message: expect.stringContaining("limit") });
    const steps = (await services.data.getThread(threadId))!.steps;
    const reply = steps.find((s) => s.type === "assistant_message" && !s.isError);
    expect(reply?.output?.length).toBe(REPLY_MAX_CHARS);
    expect(reply?.streaming).toBe(false);
    expect(steps.some((s) => s.isError && s.output?.includes("limit"))).toBe(true);
  });

  it("stores an assistant failure as an error step and keeps the user's message", async () => {
    const alice = sessionUser();
    const threadId = await newThread(services, alice);
    const messageId = randomUUID();
    const events = await collect(await callerFor(services, alice).chat.send({ threadId, messageId, content: "please [fail]" }));
    expect(events.at(-1)).toMatchObject({ type: "error" });
    expect((events.at(-1) as { message: string }).message).toContain("500");
    const thread = await services.data.getThread(threadId);
    expect(thread!.steps.find((s) => s.id === messageId)?.output).toBe("please [fail]");
    expect(thread!.steps.some((s) => s.isError && s.type === "assistant_message")).toBe(true);
  });

  it("refuses someone else's thread, an empty message and anonymous callers, writing nothing", async () => {
    const [alice, bob] = [sessionUser(), sessionUser()];
    const threadId = await newThread(services, alice);
    await collect(await callerFor(services, alice).chat.send({ threadId, messageId: randomUUID(), content: "mine" }));
    const before = await services.data.getThread(threadId);
    // The thread gate answers before the stream starts; the empty-message check runs inside it.
    await expect(callerFor(services, bob).chat.send({ threadId, messageId: randomUUID(), content: "hijack" }).then(collect)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(services, alice).chat.send({ threadId, messageId: randomUUID(), content: "   " }).then(collect)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(services, null).chat.send({ threadId, messageId: randomUUID(), content: "hi" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(callerFor(services, alice).chat.send({ threadId, messageId: "bad id", content: "hi" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await services.data.getThread(threadId))!.steps.length).toBe(before!.steps.length);
  });
});

describe("attachments", () => {
  it("stores an upload as an element of the message and passes it to the assistant (text inline, images as image parts)", async () => {
    const alice = sessionUser();
    const [threadId, messageId] = [await newThread(services, alice), randomUUID()];
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC", "base64");
    const csv = await uploadElement(services, alice, { threadId, elementId: randomUUID(), forId: messageId, fileName: "data.csv", mime: "text/csv", contentLength: 8, body: bytesOf("a,b\n1,2\n") });
    const image = await uploadElement(services, alice, { threadId, elementId: randomUUID(), forId: messageId, fileName: "dot.png", mime: "image/png", contentLength: png.length, body: new Blob([png]).stream() });
    expect(csv.status).toBe(201);
    expect(image.status).toBe(201);
    const downloaded = await fetch((csv as { element: { url: string } }).element.url);
    expect(await downloaded.text()).toBe("a,b\n1,2\n");
    const events = await collect(await callerFor(services, alice).chat.send({ threadId, messageId, content: "what is attached? [attachments]" }));
    expect((events.at(-1) as { output: string }).output).toBe("Parts: text(31), text(33), image(data:image/png;base64,)");
    const thread = await services.data.getThread(threadId);
    expect(thread!.elements.map((e) => [e.name, e.forId])).toEqual(expect.arrayContaining([["data.csv", messageId], ["dot.png", messageId]]));
  });

  it("refuses a file over the size limit, a type outside the allow-list, and someone else's thread — with no element item", async () => {
    const [alice, bob] = [sessionUser(), sessionUser()];
    const threadId = await newThread(services, alice);
    const small = { ...services, env: { ...services.env, MAX_UPLOAD_MB: 1 } };
    const base = { threadId, elementId: randomUUID(), forId: randomUUID() };
    const big = await uploadElement(small, alice, { ...base, fileName: "big.txt", mime: "text/plain", contentLength: null, body: new Blob([Buffer.alloc(1024 * 1024 + 10, 97)]).stream() });
    expect(big).toMatchObject({ status: 413, error: expect.stringContaining("1 MB limit") });
    const exe = await uploadElement(services, alice, { ...base, fileName: "tool.exe", mime: "application/octet-stream", contentLength: 3, body: bytesOf("MZ!") });
    expect(exe).toMatchObject({ status: 415, error: expect.stringContaining("not a supported file type") });
    const disguised = await uploadElement(services, alice, { ...base, fileName: "tool.exe", mime: "text/plain", contentLength: 3, body: bytesOf("MZ!") });
    expect(disguised.status).toBe(415);
    expect(await uploadElement(services, null, { ...base, fileName: "a.txt", mime: "text/plain", contentLength: 1, body: bytesOf("a") })).toMatchObject({ status: 401 });
    expect((await services.data.getThread(threadId))?.elements ?? []).toEqual([]);
    await uploadElement(services, alice, { ...base, fileName: "a.txt", mime: "text/plain", contentLength: 1, body: bytesOf("a") });
    const foreign = await uploadElement(services, bob, { ...base, elementId: randomUUID(), fileName: "b.txt", mime: "text/plain", contentLength: 1, body: bytesOf("b") });
    expect(foreign.status).toBe(404);
    expect((await services.data.getThread(threadId))!.elements.map((e) => e.name)).toEqual(["a.txt"]);
  });

  it("answers 503 with a clear message when storage is down, and writes no element item", async () => {
    const down = createS3Storage({ bucket: "threadbook-down", endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const { client, tableName } = await freshTable();
    const data = new DynamoDBDataLayer({ tableName, client, storageProvider: down });
    const alice = sessionUser();
    const threadId = randomUUID();
    await data.createThread(threadId, alice.id);
    const result = await uploadElement({ ...services, data, storage: down }, alice, { threadId, elementId: randomUUID(), forId: randomUUID(), fileName: "a.txt", mime: "text/plain", contentLength: 1, body: bytesOf("a") });
    expect(result).toMatchObject({ status: 503, error: expect.stringContaining("not saved") });
    expect((await data.getThread(threadId))?.elements ?? []).toEqual([]);
    await data.close();
  });
});
