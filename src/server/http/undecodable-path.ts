/**
 * A path whose `%` escapes do not decode (`/threads/%ZZ`, a UTF-8 sequence cut short as in `/share/%E0%A4%A`) is
 * answered 400 here, before Next sees it. Next fails to decode such a path when it fills a dynamic segment (a thread
 * page, a share page, the upload route, /api/trpc's procedure) and answers 500 "Internal Server Error", logging no
 * cause: anyone could make the app report server errors at will (what alerts and error budgets count), and the reader
 * of a mangled link was told the server had failed. Only the path is checked; Next reads a query's bad escapes as text.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export const UNDECODABLE_PATH_MESSAGE = "Bad request: the address has a % escape that does not decode.";

export function hasUndecodablePath(url: string): boolean {
  const query = url.indexOf("?");
  try {
    decodeURIComponent(query === -1 ? url : url.slice(0, query));
    return false;
  } catch {
    return true;
  }
}

/** `handle` (Next's request handler) for every request whose path decodes; 400 for the rest, its body left unread. */
export function refusingUndecodablePaths(handle: Handler): Handler {
  return async (req, res) => {
    if (!hasUndecodablePath(req.url ?? "/")) return handle(req, res);
    // The connection closes after the answer: a body sent with it is never read.
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", connection: "close" });
    res.end(UNDECODABLE_PATH_MESSAGE);
  };
}
