/**
 * `Content-Disposition: attachment` with the original file name (RFC 6266, with RFC 5987 `filename*` for non-ASCII names).
 * Attachment, not inline: user-uploaded HTML or SVG must download, never render. The header value is pure ASCII by
 * construction, so S3 metadata, Azure blob headers and SAS `rscd` all carry it unchanged.
 */

/** Long enough for any real name; keeps the header well under proxies' 8 KB limits even when every byte is percent-encoded. */
const MAX_NAME_CHARS = 255;

/** RFC 5987 attr-char: these bytes stay literal, every other byte of the UTF-8 encoding becomes %XX. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

export function attachmentDisposition(fileName?: string): string {
  const name = fileName === undefined ? "" : Array.from(fileName).slice(0, MAX_NAME_CHARS).join("");
  if (name.trim() === "") return "attachment";
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/**
 * For clients that ignore `filename*`: accents dropped, anything outside printable ASCII (controls included, so no header
 * injection) and the quoted-string specials `"` and `\` become `_`.
 */
export function asciiFallback(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]|["\\]/g, "_");
}

/** Percent-encodes UTF-8 bytes. TextEncoder turns lone surrogates into U+FFFD, where encodeURIComponent would throw. */
export function encodeRfc5987(name: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(name)) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
