/**
 * `Content-Disposition: attachment` with the original file name (RFC 6266, with RFC 5987 `filename*` for non-ASCII names).
 * Attachment, not inline: user-uploaded HTML or SVG must download, never render. The header value is pure ASCII by
 * construction, so S3 metadata, Azure blob headers and SAS `rscd` all carry it unchanged.
 */

/** Long enough for any real name; keeps the header well under proxies' 8 KB limits even when every byte is percent-encoded. */
const MAX_NAME_CHARS = 255;

/** RFC 5987 attr-char: these bytes stay literal, every other byte of the UTF-8 encoding becomes %XX. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/**
 * Characters that change how a name reads without being part of it: controls, line and paragraph separators, and
 * format characters (Unicode Cf), among them the bidirectional overrides and isolates and the zero-width ones. A name
 * is whatever an element item's writer recorded (any app on the table, an import), and the saved file keeps it:
 * `invoice\u202Efdp.exe` (a right-to-left override) is saved as a file that shows as "invoiceexe.pdf" and runs as a
 * program, `report.pdf\u200B.exe` hides its real extension behind a zero-width space.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

export function attachmentDisposition(fileName?: string): string {
  const name = fileName === undefined ? "" : Array.from(fileName.replace(INVISIBLE, "")).slice(0, MAX_NAME_CHARS).join("");
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
