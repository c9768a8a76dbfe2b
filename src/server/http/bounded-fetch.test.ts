/**
 * The bounded fetch against a real local server that answers too much, too late or never (test/hostile-issuer.ts):
 * it gives up at its bounds, having read no more than the bound, and passes a normal answer through as it came.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureOf, hugeDeclared, hugeJson, json, MB, neverAnswers, stallsMidBody, startHostileIssuer, type HostileIssuer } from "../../../test/hostile-issuer";
import { boundedFetch, BoundedFetchError, type FetchLike } from "./bounded-fetch";

const MAX_BYTES = 256 * 1024;
let issuer: HostileIssuer;

beforeAll(async () => {
  issuer = await startHostileIssuer();
});
afterAll(() => issuer.close());

/** The real fetch, counting the body bytes the bounded reader pulled out of it. */
function countingFetch(): { fetchFn: FetchLike; pulled: () => number } {
  let pulled = 0;
  const fetchFn: FetchLike = async (input, init) => {
    const response = await fetch(input, init);
    const counted = response.body?.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted ?? null, { status: response.status, headers: response.headers });
  };
  return { fetchFn, pulled: () => pulled };
}

describe("boundedFetch", () => {
  it("hostile: refuses an answer far over the bound once the bound is crossed, and hangs up on the rest", async () => {
    issuer.on("/token", hugeJson);
    const { fetchFn, pulled } = countingFetch();
    const bounded = boundedFetch({ timeoutMs: 10_000, maxBytes: MAX_BYTES }, fetchFn);
    expect(await failureOf(bounded(`${issuer.url}/token`, { method: "POST", body: "code=x" }))).toBeInstanceOf(BoundedFetchError);
    // What was read is the bound and the chunk that crossed it, not the 64 MB offered.
    expect(pulled()).toBeLessThan(2 * MAX_BYTES);
    // The server saw the connection closed under it (what it wrote beyond the bound sat in the sockets' buffers).
    const streamed = await issuer.lastHuge();
    expect(streamed.cutOff).toBe(true);
    expect(streamed.written).toBeLessThan(64 * MB);
  });

  it("hostile: refuses a declared length over the bound before reading its body", async () => {
    issuer.on("/jwks", hugeDeclared);
    const { fetchFn, pulled } = countingFetch();
    const error = await failureOf(boundedFetch({ timeoutMs: 10_000, maxBytes: MAX_BYTES }, fetchFn)(`${issuer.url}/jwks`));
    expect(String(error)).toMatch(/answer over 262144 bytes/);
    expect(pulled()).toBe(0);
    expect((await issuer.lastHuge()).cutOff).toBe(true);
  });

  it("hostile: gives up on a server that never answers, at its timeout", async () => {
    issuer.on("/hang", neverAnswers);
    const bounded = boundedFetch({ timeoutMs: 100, maxBytes: MAX_BYTES });
    await expect(bounded(`${issuer.url}/hang`)).rejects.toThrow(new BoundedFetchError(`${issuer.url}/hang: no complete answer within 100 ms`));
  });

  it("hostile: gives up on a body that stops arriving, at its timeout", async () => {
    issuer.on("/stall", stallsMidBody);
    const bounded = boundedFetch({ timeoutMs: 100, maxBytes: MAX_BYTES });
    await expect(bounded(`${issuer.url}/stall`, { method: "POST" })).rejects.toThrow(/no complete answer within 100 ms/);
  });

  it("names the address in its errors, never the query (a code or token may ride there)", async () => {
    issuer.on("/hang", neverAnswers);
    const error = await boundedFetch({ timeoutMs: 50, maxBytes: MAX_BYTES })(`${issuer.url}/hang?code=s3cr3t-code`).catch((e: Error) => e);
    expect((error as Error).message).toContain(`${issuer.url}/hang`);
    expect((error as Error).message).not.toContain("s3cr3t");
  });

  it("still honours the caller's own signal", async () => {
    issuer.on("/hang", neverAnswers);
    const caller = new AbortController();
    const pending = boundedFetch({ timeoutMs: 10_000, maxBytes: MAX_BYTES })(`${issuer.url}/hang`, { signal: caller.signal });
    caller.abort(new Error("caller gave up"));
    await expect(pending).rejects.toThrow("caller gave up");
  });

  it("passes a normal answer through unchanged: status, headers, body", async () => {
    const bounded = boundedFetch({ timeoutMs: 10_000, maxBytes: MAX_BYTES });
    issuer.on("/userinfo", json({ error: "invalid_token" }, 401, { "www-authenticate": 'Bearer error="invalid_token"', "cache-control": "no-store" }));
    const refused = await bounded(`${issuer.url}/userinfo`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(refused.headers.get("cache-control")).toBe("no-store");
    expect(refused.headers.get("content-type")).toBe("application/json");
    expect(await refused.json()).toEqual({ error: "invalid_token" });

    // A compressed answer arrives decoded, so its encoding header no longer describes it.
    const document = { issuer: issuer.url, token_endpoint: `${issuer.url}/token` };
    issuer.on("/.well-known/openid-configuration", (_req, res) =>
      void res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "x-served-by": "idp" }).end(gzipSync(JSON.stringify(document))),
    );
    const discovered = await bounded(`${issuer.url}/.well-known/openid-configuration`);
    expect(discovered.status).toBe(200);
    expect(discovered.headers.get("x-served-by")).toBe("idp");
    expect(discovered.headers.get("content-encoding")).toBeNull();
    expect(await discovered.json()).toEqual(document);

    // Discovery asks not to follow redirects: the redirect itself comes back; so does an answer without a body.
    issuer.on("/moved", (_req, res) => void res.writeHead(302, { location: "/elsewhere" }).end());
    const moved = await bounded(`${issuer.url}/moved`, { redirect: "manual" });
    expect([moved.status, moved.headers.get("location")]).toEqual([302, "/elsewhere"]);
    issuer.on("/empty", (_req, res) => void res.writeHead(204).end());
    expect((await bounded(`${issuer.url}/empty`)).status).toBe(204);
  });
});
