import type { IncomingMessage } from "node:http";

/**
 * Sets (a string) or removes (undefined) request headers the server decides, in both of Node's views of them
 * (`headers` and `rawHeaders`): whatever the client sent under those names, once or several times, is gone first.
 * Names are lower case.
 */
export function replaceRequestHeaders(req: IncomingMessage, replacements: Readonly<Record<string, string | undefined>>): void {
  for (let i = req.rawHeaders.length - 2; i >= 0; i -= 2) {
    if (Object.hasOwn(replacements, req.rawHeaders[i]!.toLowerCase())) req.rawHeaders.splice(i, 2);
  }
  for (const [name, value] of Object.entries(replacements)) {
    if (value === undefined) {
      delete req.headers[name];
    } else {
      req.headers[name] = value;
      req.rawHeaders.push(name, value);
    }
  }
}
