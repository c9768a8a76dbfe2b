/**
 * `POST /api/auth/*` is open to anyone, and Auth.js reads a form or JSON body whole (`req.text()` in its getBody):
 * the route reads it within a bound first. NextAuth() itself only runs inside Next, so its handler is stood in for by
 * one that reads the body as Auth.js does.
 */
import type { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";

const seen = vi.hoisted(() => ({ bodies: [] as string[] }));
vi.mock("next-auth", () => {
  const handler = async (req: Request) => {
    seen.bodies.push(await req.text());
    return new Response("handled");
  };
  return {
    default: () => ({ handlers: { GET: handler, POST: handler }, auth: async () => null, signIn: async () => undefined, signOut: async () => undefined }),
    AuthError: class AuthError extends Error {},
    CredentialsSignin: class CredentialsSignin extends Error {},
  };
});

const { POST } = await import("./route");

const FIFTY_MB = 50 * 1024 * 1024;

/** 50 MB made as the reader pulls it, counting how much of it was pulled. */
function hugeBody() {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const pulled = { bytes: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= FIFTY_MB) return controller.close();
      pulled.bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled };
}

/** A plain Request as the route gets it (NextRequest adds only URL helpers, which the limit does not use). */
const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
    duplex: "half",
  } as RequestInit) as NextRequest;

describe("POST /api/auth body limit", () => {
  it.each([
    ["streamed without Content-Length", undefined],
    ["with a lying Content-Length", "100"],
    ["with its true Content-Length", String(FIFTY_MB)],
  ])("refuses an anonymous 50 MB form %s, reading no more than the limit", async (_label, declared) => {
    seen.bodies = [];
    const { body, pulled } = hugeBody();
    const response = await POST(post(body, declared ? { "content-length": declared } : {}));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "The request body is larger than the 64 KB limit." });
    expect(seen.bodies).toEqual([]);
    expect(pulled.bytes).toBeLessThan(1024 * 1024);
  });

  it("hands a sign-in form within the limit to Auth.js as it was sent", async () => {
    seen.bodies = [];
    const form = "csrfToken=abc&identifier=alice%40example.com&password=secret&callbackUrl=%2Fthreads";
    const response = await POST(post(form));
    expect(await response.text()).toBe("handled");
    expect(seen.bodies).toEqual([form]);
  });
});
