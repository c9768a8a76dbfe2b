import { describe, expect, it } from "vitest";
import { isPageRequest } from "./page-paths";

describe("isPageRequest (hostile)", () => {
  it("takes every path for a page but the API's, Next's static files and image optimizer, and the favicon", () => {
    for (const page of ["/", "/threads", "/threads/6f1c?x=1", "/share/abc", "/sign-in?callbackUrl=%2Fapi%2Fx", "/no-such-page", "/api", "/apix/y", "/_next/data/x.json", "/robots.txt", "/icon.svg"]) {
      expect(isPageRequest(page), page).toBe(true);
    }
    for (const other of ["/api/", "/api/health", "/api/trpc/threads.list?batch=1", "/_next/static/chunks/a.js", "/_next/image?url=%2Fa.png&w=64", "/favicon.ico"]) {
      expect(isPageRequest(other), other).toBe(false);
    }
  });

  it("is a page when any reading of the path says so: dot segments resolved, other forms of target", () => {
    for (const target of [
      "/api/../threads",
      "/api/%2e%2e/threads",
      "/_next/static/../../sign-in",
      "/api\\..\\threads",
      "//api/health",
      "/API/health",
      "http://app.example/api/health",
      "*",
    ]) {
      expect(isPageRequest(target), target).toBe(true);
    }
  });
});
