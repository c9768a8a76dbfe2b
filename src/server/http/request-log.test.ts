import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getLogger, setLogFormat } from "@/data";
import { logRequest, routeMatcher } from "./request-log";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "threadbook-routes-"));
  mkdirSync(path.join(dir, ".next"));
  // The shape of the build's .next/routes-manifest.json.
  const manifest = {
    staticRoutes: [{ page: "/" }, { page: "/threads" }, { page: "/api/health" }],
    dynamicRoutes: [
      { page: "/api/threads/[threadId]/elements", regex: "^/api/threads/([^/]+?)/elements(?:/)?$" },
      { page: "/api/trpc/[trpc]", regex: "^/api/trpc/([^/]+?)(?:/)?$" },
      { page: "/threads/[threadId]", regex: "^/threads/([^/]+?)(?:/)?$" },
    ],
  };
  writeFileSync(path.join(dir, ".next", "routes-manifest.json"), JSON.stringify(manifest));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  setLogFormat("text");
  vi.restoreAllMocks();
});

describe("routeMatcher", () => {
  it("names the route's pattern, never the ids in the path", () => {
    const route = routeMatcher(dir);
    expect(route("/threads/0b7c7a4e-6f5e-4c1e-9f3e-2a9d6c1b8e10")).toBe("/threads/[threadId]");
    expect(route("/api/threads/alice@example.com/elements")).toBe("/api/threads/[threadId]/elements");
    expect(route("/threads/")).toBe("/threads");
    expect(route("/_next/static/chunks/abc.js")).toBe("/_next/static/[file]");
    expect(route("/_next/image")).toBe("/_next/[internal]");
  });

  it("does not repeat a path it does not know, whatever a client typed", () => {
    const route = routeMatcher(dir);
    expect(route("/users/alice@example.com/secret")).toBe("[unmatched]");
    expect(route("/threads/a/b")).toBe("[unmatched]");
    expect(routeMatcher(path.join(dir, "no-build"))("/threads")).toBe("[unmatched]");
  });
});

describe("logRequest", () => {
  let server: Server;
  let url: string;
  const lines: string[] = [];
  beforeAll(async () => {
    const log = getLogger("HTTP-log-test", "info");
    const route = routeMatcher(dir);
    server = createServer((req, res) => {
      logRequest(log, route, req, res);
      res.statusCode = req.url?.startsWith("/threads/") ? 404 : 200;
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const capture = () => {
    lines.length = 0;
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    vi.spyOn(console, "warn").mockImplementation((line: string) => void lines.push(line));
  };
  /** Resolves once the line is written (after the response has closed on the server). */
  const logged = async (count: number) => {
    for (let i = 0; i < 100 && lines.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return lines;
  };

  it("writes one JSON line per request with method, route, procedures, status and duration, and nothing identifying", async () => {
    setLogFormat("json");
    capture();
    await fetch(`${url}/api/trpc/threads.list,threads.get?batch=1&input=${encodeURIComponent('{"0":{"threadId":"t-secret"}}')}`, {
      method: "POST",
      headers: { cookie: "authjs.session-token=secret", "x-forwarded-for": "203.0.113.9" },
      body: JSON.stringify({ content: "a private message" }),
    });
    await fetch(`${url}/threads/0b7c7a4e-6f5e-4c1e-9f3e-2a9d6c1b8e10?q=alice`);
    const [trpc, page] = (await logged(2)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(trpc).toMatchObject({ level: "info", logger: "HTTP-log-test", msg: "request", method: "POST", route: "/api/trpc/[trpc]", procedures: "threads.list,threads.get", status: 200 });
    expect(typeof trpc!.ms).toBe("number");
    expect(page).toMatchObject({ method: "GET", route: "/threads/[threadId]", status: 404 });
    expect(lines.join("\n")).not.toMatch(/t-secret|0b7c7a4e|alice|203\.0\.113|secret|private/);
  });

  it("leaves out procedure names that are not plain names", async () => {
    setLogFormat("json");
    capture();
    await fetch(`${url}/api/trpc/${encodeURIComponent("x<script>")}`);
    const [line] = (await logged(1)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line).toMatchObject({ route: "/api/trpc/[trpc]" });
    expect(line).not.toHaveProperty("procedures");
  });

  it("writes text lines by default", async () => {
    capture();
    await fetch(`${url}/api/health`);
    expect((await logged(1))[0]).toMatch(/^\S+ INFO \[HTTP-log-test\] request \{"method":"GET","route":"\/api\/health","status":200,"ms":\d+\}$/);
  });
});

describe("JSON log lines", () => {
  it("keep their own time, level, logger and message even when a field has the same name", () => {
    setLogFormat("json");
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    getLogger("JSON-test").error("it failed", { level: "debug", msg: "forged", password: "hunter2", count: 2 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", logger: "JSON-test", msg: "it failed", password: "[redacted]", count: 2 });
  });
});
