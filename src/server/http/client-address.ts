/**
 * Where a request comes from, decided once by Threadbook's own HTTP server (server.ts) and read by the rest of the
 * app through clientAddressOf(). Next's App Router does not expose the socket, and X-Forwarded-For is whatever the
 * client wrote unless a proxy we trust appended to it: so the server drops any incoming CLIENT_ADDRESS_HEADER and
 * sets it from the socket, or from the address the TRUSTED_PROXY_HOPS-th proxy saw.
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { replaceRequestHeaders } from "./request-headers";

export const CLIENT_ADDRESS_HEADER = "x-threadbook-client-address";
/** Outside Threadbook's server (tests, a bare `next start`) every request shares this one address. */
export const UNKNOWN_ADDRESS = "unknown";

/**
 * The client's address: with `hops` trusted proxies in front, the one the outermost trusted proxy saw (the
 * hops-th entry from the right of X-Forwarded-For); with 0, the socket's peer. Entries left of it were written by the
 * client and are never used. A shorter header than `hops` (a request that bypassed a proxy) falls back to its
 * leftmost entry, as far as the chain goes.
 */
export function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string {
  const chain = [
    ...(Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean),
    socketAddress ?? "",
  ];
  const index = Math.max(0, chain.length - 1 - hops);
  return normalizeAddress(chain[index] ?? "");
}

/**
 * One key per client: IPv4-mapped IPv6 as IPv4, IPv6 by its /64 (one subscriber's usual allocation, so rotating
 * through it gains nothing), anything that is not an address as unknown.
 */
export function normalizeAddress(raw: string): string {
  let address = raw.trim().replace(/^\[|\](:\d+)?$/g, "");
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) === 4) return address;
  if (isIP(address) === 6) return `${expandIpv6(address).slice(0, 4).join(":")}::/64`;
  return UNKNOWN_ADDRESS;
}

function expandIpv6(address: string): string[] {
  const [head, tail] = address.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...middle, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ""));
}

/** The address Threadbook's server set for this request (never a client-written header: the server strips those). */
export function clientAddressOf(headers: Headers): string {
  const value = headers.get(CLIENT_ADDRESS_HEADER);
  return value && value.length <= 64 ? value : UNKNOWN_ADDRESS;
}

/** Sets the client address header; what the client wrote under that name is removed from both header views. */
export function stampClientAddress(req: IncomingMessage, trustedProxyHops: number): void {
  const address = resolveClientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxyHops);
  replaceRequestHeaders(req, { [CLIENT_ADDRESS_HEADER]: address });
}
