/**
 * One log line per request: method, the route's pattern (never the raw path, which carries thread ids), status and
 * duration. No bodies, no query strings, no addresses, no user: nothing that identifies a person.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@/data/logger";

interface RoutesManifest {
  staticRoutes?: { page: string }[];
  dynamicRoutes?: { page: string; regex: string }[];
}

/** tRPC procedure names as the client batches them (`threads.list,threads.get`): our names, bounded, or nothing. */
const PROCEDURES = /^[A-Za-z0-9_.,]{1,200}$/;
const UNMATCHED = "[unmatched]";

/**
 * The route pattern for a path (`/threads/[threadId]`), from the build's routes manifest: the routes the app has,
 * including those added later, with no list to keep here. Anything else is `[unmatched]`, since a raw unknown path could
 * hold anything a client typed.
 */
export function routeMatcher(appDir: string): (pathname: string) => string {
  let manifest: RoutesManifest = {};
  try {
    manifest = JSON.parse(readFileSync(path.join(appDir, ".next", "routes-manifest.json"), "utf8")) as RoutesManifest;
  } catch {
    // No build yet (dev mode before the first compile): every route is unmatched until a restart.
  }
  const statics = new Set((manifest.staticRoutes ?? []).map((r) => r.page));
  const dynamics = (manifest.dynamicRoutes ?? []).map((r) => ({ page: r.page, regex: new RegExp(r.regex) }));
  return (pathname) => {
    if (pathname.startsWith("/_next/static/")) return "/_next/static/[file]";
    if (pathname.startsWith("/_next/")) return "/_next/[internal]";
    const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
    if (statics.has(trimmed)) return trimmed;
    return dynamics.find((d) => d.regex.test(pathname))?.page ?? UNMATCHED;
  };
}

/** Logs the request once its response has ended (or its connection closed first: `aborted`). */
export function logRequest(log: Logger, route: (pathname: string) => string, req: IncomingMessage, res: ServerResponse) {
  const started = performance.now();
  res.once("close", () => {
    const pathname = (req.url ?? "/").split("?")[0]!;
    const pattern = route(pathname);
    const procedures = pattern === "/api/trpc/[trpc]" ? pathname.slice("/api/trpc/".length) : "";
    const fields = {
      method: req.method,
      route: pattern,
      ...(PROCEDURES.test(procedures) ? { procedures } : {}),
      status: res.statusCode,
      ms: Math.round(performance.now() - started),
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    if (res.statusCode >= 500) log.warn("request", fields);
    else log.info("request", fields);
  });
}
