/**
 * Whether a file's first bytes are what its type says (docs/security.md, "Uploads whose bytes lie"). An attachment's
 * type used to be only what the client said: a `.png` whose bytes were HTML, a script or an executable was stored as
 * `image/png`, drawn in an `<img>` and kept as a picture. Now each allowed type (attachments.ts) has its signature, read
 * from at most SNIFF_BYTES of the upload's start: the image, PDF, audio and video types the view shows in place must
 * begin as their format does, the Office types as the zip they are, and the text types must hold no NUL byte (a binary
 * file named `.txt`), unless they start with a UTF-16 byte order mark. A small table of our own rather than a library:
 * fourteen types, each a prefix or two, and nothing parsed past the head.
 */

/** Bytes of a file's start read to decide its type: every signature below lies within the first 1,024. */
export const SNIFF_BYTES = 4096;

const ascii = (text: string) => Buffer.from(text, "latin1");
const startsWith = (head: Uint8Array, prefix: Uint8Array, at = 0) => head.length >= at + prefix.length && Buffer.from(head.buffer, head.byteOffset, head.byteLength).subarray(at, at + prefix.length).equals(prefix);

const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff);
const ZIP = Uint8Array.of(0x50, 0x4b, 0x03, 0x04);
const riff = (head: Uint8Array, form: string) => startsWith(head, ascii("RIFF")) && startsWith(head, ascii(form), 8);

/** A text file: no NUL byte in its head (UTF-16 text, announced by its byte order mark, has them). */
function isText(head: Uint8Array): boolean {
  if (startsWith(head, Uint8Array.of(0xff, 0xfe)) || startsWith(head, Uint8Array.of(0xfe, 0xff))) return true;
  return !head.subarray(0, SNIFF_BYTES).includes(0);
}

/** An MP3: an ID3 tag, or straight away an MPEG audio frame's sync (eleven set bits). */
const isMp3 = (head: Uint8Array) => startsWith(head, ascii("ID3")) || (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0);

/** A PDF: `%PDF-` within its first 1,024 bytes, where readers look for it (a few bytes of junk may come first). */
const isPdf = (head: Uint8Array) => Buffer.from(head.buffer, head.byteOffset, head.byteLength).subarray(0, 1024).includes(ascii("%PDF-"));

const SIGNATURES: Record<string, (head: Uint8Array) => boolean> = {
  "image/png": (head) => startsWith(head, PNG),
  "image/jpeg": (head) => startsWith(head, JPEG),
  "image/gif": (head) => startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a")),
  "image/webp": (head) => riff(head, "WEBP"),
  "application/pdf": isPdf,
  "text/plain": isText,
  "text/markdown": isText,
  "text/csv": isText,
  "application/json": isText,
  "audio/mpeg": isMp3,
  "audio/wav": (head) => riff(head, "WAVE"),
  "video/mp4": (head) => startsWith(head, ascii("ftyp"), 4),
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (head) => startsWith(head, ZIP),
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (head) => startsWith(head, ZIP),
};

/** The types a signature is known for: attachments.ts's allow-list, every one of them (content-signatures.test.ts). */
export const SIGNED_TYPES = Object.keys(SIGNATURES);

/** True when `head` (the file's first bytes, at least SNIFF_BYTES of them unless the file is shorter) begins as `mime` does. An unknown type never matches. */
export function bytesMatchType(mime: string, head: Uint8Array): boolean {
  return SIGNATURES[mime]?.(head) ?? false;
}

