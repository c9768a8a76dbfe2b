import { existsSync } from "node:fs";

/** Debian's Chromium: the tests never download a browser (there is no network for it). */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error("No Chromium found at /usr/bin/chromium. Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).");
  }
  return found;
}
