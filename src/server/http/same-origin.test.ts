import { describe, expect, it } from "vitest";
import { isSameOriginRequest } from "./same-origin";

const request = (headers: Record<string, string>) => new Request("http://localhost:3000/api/threads/t/elements", { method: "POST", headers });

describe("isSameOriginRequest", () => {
  it.each<[string, Record<string, string>]>([
    ["a browser fetch from the app", { "sec-fetch-site": "same-origin", origin: "http://localhost:3000", host: "localhost:3000" }],
    ["an older browser sending only Origin", { origin: "http://localhost:3000", host: "localhost:3000" }],
    ["behind a proxy that sets X-Forwarded-Host", { origin: "https://threads.example.com", host: "10.0.0.5:3000", "x-forwarded-host": "threads.example.com" }],
    ["a client that is no browser (neither header)", { host: "localhost:3000" }],
  ])("accepts %s", (_label, headers) => {
    expect(isSameOriginRequest(request(headers))).toBe(true);
  });

  it.each<[string, Record<string, string>]>([
    ["a cross-site form or fetch", { "sec-fetch-site": "cross-site", origin: "https://evil.example", host: "localhost:3000" }],
    ["a sibling subdomain", { "sec-fetch-site": "same-site", origin: "http://evil.localhost:3000", host: "localhost:3000" }],
    ["a navigation typed by the user", { "sec-fetch-site": "none", host: "localhost:3000" }],
    ["a foreign Origin without Sec-Fetch-Site", { origin: "https://evil.example", host: "localhost:3000" }],
    ["the same host on another port", { origin: "http://localhost:4000", host: "localhost:3000" }],
    ["Origin: null (sandboxed frame)", { origin: "null", host: "localhost:3000" }],
    ["a lying Sec-Fetch-Site that is not same-origin, with a matching Origin", { "sec-fetch-site": "cross-site", origin: "http://localhost:3000", host: "localhost:3000" }],
  ])("refuses %s", (_label, headers) => {
    expect(isSameOriginRequest(request(headers))).toBe(false);
  });
});
