/**
 * The chat reads a message's attachments through the storage client only. An element item's `url` is written by
 * whoever writes items (a Chainlit app, a script, an attacker with table access) and may point at a cloud metadata
 * service or an intranet host: the server must never fetch it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, sessionUser } from "../../../test/callers";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/fake-openai";
import { createOpenAIAssistant } from "../assistant/openai-assistant";
import type { Services } from "../services";

let fake: FakeOpenAI;
let services: Services & { close(): Promise<void> };
/** Stands in for http://169.254.169.254 (instance credentials): counts every request that reaches it. */
let metadata: Server;
let metadataHits = 0;
let metadataUrl: string;

beforeAll(async () => {
  fake = await startFakeOpenAI({ tokenDelayMs: 0 });
  services = await createTestServices({ assistant: createOpenAIAssistant({ baseUrl: fake.baseUrl, model: "fake-model" }) });
  metadata = createServer((_req, res) => {
    metadataHits++;
    res.writeHead(200, { "content-type": "text/plain" }).end("AccessKeyId=AKIASECRET");
  });
  await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
  metadataUrl = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/latest/meta-data/iam/security-credentials/role`;
});
afterAll(async () => {
  await services.close();
  await fake.stop();
  metadata.closeAllConnections();
  await new Promise((resolve) => metadata.close(resolve));
});

async function send(userId: ReturnType<typeof sessionUser>, threadId: string, messageId: string): Promise<string> {
  let output = "";
  for await (const event of await callerFor(services, userId).chat.send({ threadId, messageId, content: "read it [attachments]" })) {
    if (event.type === "done") output = event.output;
  }
  return output;
}

describe("attachments reach the assistant through storage only", () => {
  it("never fetches an element item's url (hostile: a metadata-service address); the file is named, not read", async () => {
    const alice = sessionUser();
    const [threadId, messageId] = [randomUUID(), randomUUID()];
    await services.data.updateThread(threadId, { userId: alice.id, name: "hostile url" });
    // An item with a url and no stored object, as a Chainlit app writes a link element.
    await services.data.createElement({ id: randomUUID(), threadId, forId: messageId, type: "text", name: "creds.txt", mime: "text/plain", url: metadataUrl, display: "inline" });
    await services.data.createElement({ id: randomUUID(), threadId, forId: messageId, type: "image", name: "x.png", mime: "image/png", url: metadataUrl, display: "inline" });

    expect(await send(alice, threadId, messageId)).toMatch(/^Parts: text\(\d+\), text\(\d+\), text\(\d+\)$/);
    expect(metadataHits).toBe(0);
    const sent = JSON.stringify(fake.requests.at(-1));
    expect(sent).toContain("(Attached file creds.txt, text/plain, not readable as text.)");
    expect(sent).toContain("(Attached file x.png, image/png, not readable as text.)");
    expect(sent).not.toContain("AKIASECRET");
  });

  it("reads a stored attachment's bytes through the storage client, capped", async () => {
    const alice = sessionUser();
    const [threadId, messageId] = [randomUUID(), randomUUID()];
    await services.data.updateThread(threadId, { userId: alice.id, name: "stored" });
    await services.data.createElement({ id: randomUUID(), threadId, forId: messageId, type: "text", name: "notes.txt", mime: "text/plain", content: "twelve bytes", display: "inline" });
    // Over the 200,000-character inline cap: named only.
    await services.data.createElement({ id: randomUUID(), threadId, forId: messageId, type: "text", name: "big.txt", mime: "text/plain", content: "x".repeat(300_000), display: "inline" });

    await send(alice, threadId, messageId);
    const sent = JSON.stringify(fake.requests.at(-1));
    expect(sent).toContain("Attached file notes.txt:\\n\\ntwelve bytes");
    expect(sent).toContain("(Attached file big.txt, text/plain, not readable as text.)");
    expect(sent).not.toContain("x".repeat(1000));
  });

  it("a turn reads at most 8 of its message's files and 10 MB of them together; the rest are named (hostile: 3 big images and 10 notes)", async () => {
    const alice = sessionUser();
    const [threadId, messageId] = [randomUUID(), randomUUID()];
    await services.data.updateThread(threadId, { userId: alice.id, name: "many files" });
    const image = Buffer.alloc(4 * 1024 * 1024, 7);
    for (let i = 1; i <= 3; i++) {
      await services.data.createElement({ id: randomUUID(), threadId, forId: messageId, type: "image", name: `photo-${i}.png`, mime: "image/png", content: image, display: "inline" });
    }
    for (let i = 1; i <= 10; i++) {
      await services.data.createElement({ id: randomUUID(), threadId, forId: messageId, type: "text", name: `note-${i}.txt`, mime: "text/plain", content: `content of note ${i}.`, display: "inline" });
    }

    await send(alice, threadId, messageId);
    const sent = JSON.stringify(fake.requests.at(-1));
    // Two images fill the 10 MB (a third would pass it); six notes make the 8 files; the rest go by name.
    expect(sent.split("data:image/png;base64,").length - 1).toBe(2);
    expect(sent).toContain("(Attached file photo-3.png, image/png, not readable as text.)");
    for (let i = 1; i <= 6; i++) expect(sent).toContain(`content of note ${i}.`);
    for (let i = 7; i <= 10; i++) {
      expect(sent).not.toContain(`content of note ${i}.`);
      expect(sent).toContain(`(Attached file note-${i}.txt, text/plain, not readable as text.)`);
    }
  });
});
