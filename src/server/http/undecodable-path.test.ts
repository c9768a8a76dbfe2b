import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasUndecodablePath, refusingUndecodablePaths, UNDECODABLE_PATH_MESSAGE } from "./undecodable-path";

/** Stands in for Next: decodes the path as its router fills a dynamic segment, and fails as Next does (a 500). */
async function fakeNext(req: IncomingMessage, res: ServerResponse) {
  const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
  res.writeHead(200, { "content-type": "text/plain" }).end(path);
}

let base = "";
const server = createServer((req, res) => {
  refusingUndecodablePaths(fakeNext)(req, res).catch(() => res.writeHead(500).end("Internal Server Error"));
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("paths whose % escapes do not decode", () => {
  it("are answered 400 with a plain reason, before the app's handler (Next answered 500)", async () => {
    for (const path of ["/threads/%ZZ", "/share/%E0%A4%A", "/api/trpc/threads.get%", "/api/threads/%C3/elements"]) {
      const answer = await fetch(`${base}${path}`, { method: path.startsWith("/api/threads") ? "POST" : "GET", ...(path.startsWith("/api/threads") && { body: "x".repeat(1024 * 1024) }) });
      expect([path, answer.status, await answer.text()]).toEqual([path, 400, UNDECODABLE_PATH_MESSAGE]);
    }
  });

  it("leave every path that decodes, and any query, to the app", async () => {
    for (const path of ["/threads/abc", "/share/%E2%9C%93", "/threads/a%2Fb", "/threads/abc?q=%ZZ", "/"]) {
      const answer = await fetch(`${base}${path}`);
      expect([path, answer.status]).toEqual([path, 200]);
    }
    expect(hasUndecodablePath("/a%20b?c=%")).toBe(false);
    expect(hasUndecodablePath("/a%2")).toBe(true);
  });
});
