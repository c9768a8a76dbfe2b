import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddressOf, normalizeAddress, resolveClientAddress, stampClientAddress, UNKNOWN_ADDRESS } from "./client-address";

describe("resolveClientAddress (hostile)", () => {
  it("with no trusted proxy, is the socket's address whatever X-Forwarded-For says", () => {
    expect(resolveClientAddress("203.0.113.9", undefined, 0)).toBe("203.0.113.9");
    expect(resolveClientAddress("203.0.113.9", "1.2.3.4", 0)).toBe("203.0.113.9");
    expect(resolveClientAddress("::ffff:203.0.113.9", ["1.2.3.4", "5.6.7.8"], 0)).toBe("203.0.113.9");
  });

  it("with N trusted hops, is the address the outermost trusted proxy saw; what the client wrote to its left is ignored", () => {
    // client wrote "6.6.6.6"; the one proxy appended the client's real address 198.51.100.7 and connected from 10.0.0.2.
    expect(resolveClientAddress("10.0.0.2", "6.6.6.6, 198.51.100.7", 1)).toBe("198.51.100.7");
    expect(resolveClientAddress("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", 2)).toBe("198.51.100.7");
    // A request that skipped a proxy has a shorter chain: the leftmost entry it has.
    expect(resolveClientAddress("10.0.0.3", "198.51.100.7", 5)).toBe("198.51.100.7");
    expect(resolveClientAddress("10.0.0.3", undefined, 1)).toBe("10.0.0.3");
    expect(resolveClientAddress("10.0.0.2", "not-an-address", 1)).toBe(UNKNOWN_ADDRESS);
  });

  it("keys IPv6 clients by their /64, so rotating through it gains nothing", () => {
    expect(normalizeAddress("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(normalizeAddress("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(normalizeAddress("[2001:db8::1]:443")).toBe("2001:db8:0:0::/64");
    expect(normalizeAddress("::1")).toBe("0:0:0:0::/64");
    expect(normalizeAddress("198.51.100.7:5555")).toBe("198.51.100.7");
    expect(normalizeAddress("")).toBe(UNKNOWN_ADDRESS);
  });
});

describe("stampClientAddress on a real socket (hostile)", () => {
  async function seenBy(hops: number, headers: Record<string, string>): Promise<{ stamped: string | undefined; raw: string[]; read: string }> {
    let seen: IncomingMessage | undefined;
    const server = createServer((req, res) => {
      stampClientAddress(req, hops);
      seen = req;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, headers }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
    await new Promise((resolve) => server.close(resolve));
    const stamped = seen!.headers[CLIENT_ADDRESS_HEADER] as string | undefined;
    const raw = seen!.rawHeaders.filter((_, i, all) => i % 2 === 1 && all[i - 1]!.toLowerCase() === CLIENT_ADDRESS_HEADER);
    return { stamped, raw, read: clientAddressOf(new Headers({ [CLIENT_ADDRESS_HEADER]: stamped ?? "" })) };
  }

  it("replaces a client-sent address header and ignores a rotated X-Forwarded-For", async () => {
    for (const forwarded of ["1.1.1.1", "2.2.2.2, 3.3.3.3"]) {
      const seen = await seenBy(0, { [CLIENT_ADDRESS_HEADER]: "9.9.9.9", "X-Threadbook-Client-Address": "8.8.8.8", "x-forwarded-for": forwarded });
      expect(seen).toEqual({ stamped: "127.0.0.1", raw: ["127.0.0.1"], read: "127.0.0.1" });
    }
  });

  it("behind one trusted proxy, takes the address it appended", async () => {
    expect((await seenBy(1, { "x-forwarded-for": "6.6.6.6, 198.51.100.7" })).stamped).toBe("198.51.100.7");
  });

  it("reads as unknown when no server set it", () => {
    expect(clientAddressOf(new Headers())).toBe(UNKNOWN_ADDRESS);
    expect(clientAddressOf(new Headers({ [CLIENT_ADDRESS_HEADER]: "x".repeat(100) }))).toBe(UNKNOWN_ADDRESS);
  });
});
