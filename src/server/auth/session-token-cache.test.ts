import { describe, expect, it } from "vitest";
import type { JWT } from "next-auth/jwt";
import { createSessionTokenCache } from "./session-token-cache";

/** A decoder that counts its calls and answers what the test sets. */
function decoder(answer: JWT | null) {
  const state = { calls: 0, answer };
  return { state, decode: async () => (state.calls++, state.answer) };
}

describe("session token cache", () => {
  it("decodes a token once per key while it is unexpired, then decodes again", async () => {
    const clock = { now: 1_000_000_000_000 };
    const cache = createSessionTokenCache({ now: () => clock.now });
    const token = { sub: "ada", exp: clock.now / 1000 + 60 };
    const { state, decode } = decoder(token);
    for (let i = 0; i < 5; i++) expect(await cache.decode("cookie-a", decode)).toEqual(token);
    expect(state.calls).toBe(1);
    clock.now += 60_000; // at exp: never served from the cache again
    state.answer = null;
    expect(await cache.decode("cookie-a", decode)).toBeNull();
    expect(state.calls).toBe(2);
  });

  it("never serves a cached token for other header text, and keeps nothing that did not decode (hostile)", async () => {
    const clock = { now: 1_000_000_000_000 };
    const cache = createSessionTokenCache({ now: () => clock.now });
    await cache.decode("authjs.session-token=valid", async () => ({ sub: "victim", exp: clock.now / 1000 + 600 }));
    // A tampered or different cookie goes to the decoder, which refuses it; the refusal is not remembered either.
    const refused = decoder(null);
    for (const key of ["authjs.session-token=valiD", "authjs.session-token=valid ", "authjs.session-token=valid; x=1"]) {
      expect(await cache.decode(key, refused.decode)).toBeNull();
    }
    expect(await cache.decode("authjs.session-token=valiD", refused.decode)).toBeNull();
    expect(refused.state.calls).toBe(4);
    // A token without exp, or already expired, is not kept.
    for (const token of [{ sub: "no-exp" }, { sub: "old", exp: clock.now / 1000 - 1 }]) {
      const { state, decode } = decoder(token);
      await cache.decode(`k-${token.sub}`, decode);
      await cache.decode(`k-${token.sub}`, decode);
      expect(state.calls).toBe(2);
    }
  });

  it("keeps at most maxEntries tokens, dropping the oldest", async () => {
    const clock = { now: 1_000_000_000_000 };
    const cache = createSessionTokenCache({ maxEntries: 2, now: () => clock.now });
    const counts = new Map<string, number>();
    const decode = (key: string) => async () => (counts.set(key, (counts.get(key) ?? 0) + 1), { sub: key, exp: clock.now / 1000 + 60 });
    for (const key of ["a", "b", "c", "b", "a"]) await cache.decode(key, decode(key));
    expect(Object.fromEntries(counts)).toEqual({ a: 2, b: 1, c: 1 });
  });

  it("hands out a token that cannot be changed by one request for the next", async () => {
    const cache = createSessionTokenCache({ now: () => 0 });
    const token = await cache.decode("k", async () => ({ sub: "ada", exp: 60 }));
    expect(() => Object.assign(token!, { sub: "mallory" })).toThrow();
    expect((await cache.decode("k", async () => null))?.sub).toBe("ada");
  });
});
