/**
 * `GET /api/export` at the HTTP level: the route handler itself (route.ts), called with a Request as
 * Next calls it, the session cookie next-auth would set, and this file's own services over real dynalite and s3rver.
 * Who is exporting comes from the session cookie only, never from the request.
 */
import { encode } from "next-auth/jwt";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "./route";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import { ACCOUNT_EXPORTS_PER_HOUR } from "@/server/export/export-budget";
import { callerFor, createTestServices, sessionUser } from "../../../../test/callers";
import { chatGptZip, KYOTO_PNG } from "../../../../test/import-archives";
import { stampSessionVersion } from "@/server/auth/sessions";
import type { SessionUser } from "@/server/auth/session-user";
import { startImport, waitForImport } from "@/server/import/import-jobs";
import { forgetProcessWide, processWide } from "@/data/process-wide";

// next-auth's entry point imports `next/server`, which only resolves inside Next. The route reads the session with
// next-auth/jwt (auth/sessions.ts), which stays real: only NextAuth() itself, unused here, is stood in for.
vi.mock("next-auth", () => ({
  default: () => ({ handlers: {}, auth: async () => null, signIn: async () => undefined, signOut: async () => undefined }),
  AuthError: class AuthError extends Error {},
  CredentialsSignin: class CredentialsSignin extends Error {},
}));

const SECRET = "export-route-test-secret-of-at-least-32-chars";
const COOKIE = "authjs.session-token";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
  // The route reads the process's services, secret among their settings (services.ts keeps them process-wide): this file's.
  forgetProcessWide("services");
  processWide("services", () => ({ ...services, env: { ...services.env, AUTH_SECRET: SECRET } }));
});
afterAll(async () => {
  forgetProcessWide("services");
  await services.close();
});

/** The cookie next-auth sets after a sign-in of `user` (with its session version), sealed with `secret`. */
async function sessionCookie(user: SessionUser, secret = SECRET): Promise<string> {
  await services.data.createUser({ identifier: user.identifier, displayName: null });
  const version = (await services.data.getSessionVersion(user.identifier)) ?? undefined;
  const token = await stampSessionVersion(services, { sub: user.id, email: user.identifier, name: user.name }, version);
  return `${COOKIE}=${await encode({ token: token!, secret, salt: COOKIE })}`;
}

const exportRequest = (cookie?: string, query = "") => new Request(`http://localhost/api/export${query}`, { headers: cookie ? { cookie } : {} });

async function importBytes(user: SessionUser, data: Buffer) {
  const started = await startImport(services, user, { fileName: "export.zip", contentLength: data.length, body: new Blob([new Uint8Array(data)]).stream() });
  if (started.status !== 202) throw new Error(started.error);
  await waitForImport(started.job.jobId);
  return services.data.getImportJob(user.id, started.job.jobId);
}

async function entriesOf(zip: Buffer): Promise<Map<string, Buffer>> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const listed: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    file.on("entry", (entry: yauzl.Entry) => (listed.push(entry), file.readEntry()));
    file.once("end", resolve);
    file.once("error", reject);
    file.readEntry();
  });
  const entries = new Map<string, Buffer>();
  for (const entry of listed) {
    const chunks: Buffer[] = [];
    for await (const chunk of await file.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks));
  }
  return entries;
}

describe("GET /api/export", () => {
  const alice = sessionUser();
  const bob = sessionUser();
  const BOB_SECRET = "Bob's private plans for the weekend";
  let bobThread: string;
  beforeAll(async () => {
    await importBytes(alice, await chatGptZip());
    bobThread = (await callerFor(services, bob).threads.create()).id;
    await services.data.updateThread(bobThread, { name: BOB_SECRET, userId: bob.id });
    await services.data.createStep({ id: crypto.randomUUID(), threadId: bobThread, type: "user_message", name: bob.id, output: BOB_SECRET, createdAt: "2024-06-01T00:00:00.000000Z" });
  });

  it("answers 401 without a session, or with a cookie sealed by another secret, and sends no zip", async () => {
    for (const request of [exportRequest(), exportRequest(await sessionCookie(alice, "another-secret-that-is-at-least-32-chars")), exportRequest(`${COOKIE}=not-a-token`)]) {
      const response = await GET(request);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: "Sign in to continue" });
    }
  });

  it("streams the caller's zip: attachment headers, no length declared up front, not cached", async () => {
    const response = await GET(exportRequest(await sessionCookie(alice)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="threadbook-export-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    // Streamed as it is made: the length is not known when the headers go.
    expect(response.headers.get("content-length")).toBeNull();
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).subarray(0, 2).toString()).toBe("PK");
    await reader.cancel();
  });

  it("holds only the caller's threads, whatever the request names: bob's thread is nowhere in alice's zip", async () => {
    const response = await GET(exportRequest(await sessionCookie(alice), `?userId=${encodeURIComponent(bob.id)}&user=${encodeURIComponent(bob.id)}`));
    const zip = Buffer.from(await response.arrayBuffer());
    const entries = await entriesOf(zip);
    const index = JSON.parse(entries.get("index.json")!.toString()) as { user: string; threads: Array<{ id: string; name: string }> };
    expect(index.user).toBe(alice.id);
    expect(index.threads.map((t) => t.name)).toEqual(["Haiku about rain", "Trip to Kyoto"]);
    for (const [name, bytes] of entries) {
      expect(name).not.toContain(bobThread);
      expect(bytes.toString("latin1")).not.toContain(BOB_SECRET);
      expect(bytes.toString("latin1")).not.toContain(bobThread);
    }
    expect([...entries.values()].some((bytes) => bytes.equals(KYOTO_PNG))).toBe(true);
  });

  it("what it downloads imports into another account whole", async () => {
    const response = await GET(exportRequest(await sessionCookie(alice)));
    const carol = sessionUser();
    const job = await importBytes(carol, Buffer.from(await response.arrayBuffer()));
    expect(job).toMatchObject({ status: "done", format: "threadbook", imported: 2, attachments: 1, skippedCount: 0 });
    expect((await callerFor(services, carol).threads.list({ first: 10 })).data.map((t) => t.name)).toEqual(["Haiku about rain", "Trip to Kyoto"]);
  });

  it("started by another site's link or script: a 403 page in the reader's language, nothing exported, no budget spent", async () => {
    const erin = sessionUser();
    const cookie = await sessionCookie(erin);
    for (const site of ["cross-site", "same-site"]) {
      // More than the hourly budget: had any of them counted, the one from the menu below would be refused.
      const refused = await Promise.all(Array.from({ length: ACCOUNT_EXPORTS_PER_HOUR + 1 }, () => GET(new Request("http://localhost/api/export", { headers: { cookie: `${cookie}; tb-locale=zh-CN`, "sec-fetch-site": site } }))));
      for (const response of refused) {
        expect(response.status).toBe(403);
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
        expect(await response.text()).toContain(zhCN.exportFromAnotherSite);
      }
    }
    // From the app's own menu, and typed or bookmarked ("none"): exported.
    for (const site of ["same-origin", "none"]) {
      const response = await GET(new Request("http://localhost/api/export", { headers: { cookie, "sec-fetch-site": site } }));
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
  });

  it("asked for by an image, media or script of a page, the app's own included: 403, nothing exported, no budget spent (hostile: ![](/api/export) in a thread)", async () => {
    const frank = sessionUser();
    const cookie = await sessionCookie(frank);
    // What Chromium sends for an <img>, an <audio>/<video>, a <script> and a fetch() of the thread page itself.
    const subresources = [
      { "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" },
      { "sec-fetch-mode": "no-cors", "sec-fetch-dest": "audio" },
      { "sec-fetch-mode": "no-cors", "sec-fetch-dest": "script" },
      { "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" },
    ];
    const refused = await Promise.all(
      subresources.flatMap((headers) =>
        Array.from({ length: ACCOUNT_EXPORTS_PER_HOUR }, () => GET(new Request("http://localhost/api/export", { headers: { cookie, "sec-fetch-site": "same-origin", ...headers } }))),
      ),
    );
    for (const response of refused) {
      expect(response.status).toBe(403);
      expect(response.headers.get("content-type")).not.toBe("application/zip");
      await response.body?.cancel();
    }
    // The account menu's navigation still exports: none of the above counted.
    const menu = await GET(new Request("http://localhost/api/export", { headers: { cookie, "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" } }));
    expect(menu.status).toBe(200);
    expect(menu.headers.get("content-type")).toBe("application/zip");
    await menu.body?.cancel();
  });

  it("a user may export everything ACCOUNT_EXPORTS_PER_HOUR times an hour, many at once included; then a 429 page in their language, and others are unaffected", async () => {
    const dave = sessionUser();
    const cookie = await sessionCookie(dave);
    // All at once, as a script would: the counter's atomic ADD gives each request its own number.
    const responses = await Promise.all(Array.from({ length: ACCOUNT_EXPORTS_PER_HOUR + 3 }, () => GET(exportRequest(cookie))));
    await Promise.all(responses.map((response) => response.body?.cancel()));
    expect(responses.map((response) => response.status).toSorted()).toEqual([...Array(ACCOUNT_EXPORTS_PER_HOUR).fill(200), 429, 429, 429]);
    const refused = await GET(new Request("http://localhost/api/export", { headers: { cookie: `${cookie}; tb-locale=zh-CN` } }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3500);
    expect(await refused.text()).toContain(zhCN.exportRateLimited(60));
    const other = await GET(exportRequest(await sessionCookie(sessionUser())));
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });
});
