/** Zips for the import tests, made in the test (hostile ones included): small, in memory, never written to the repo. */
import yazl from "yazl";
import { readFileSync } from "node:fs";
import { barChartPng } from "../scripts/png";

export const CHATGPT_FIXTURE = readFileSync("test/fixtures/imports/chatgpt-conversations.json", "utf8");
export const CLAUDE_FIXTURE = readFileSync("test/fixtures/imports/claude-conversations.json", "utf8");
/** The image the ChatGPT fixture's first message points at (`file-KyotoMap01`). */
export const KYOTO_PNG = barChartPng([3, 5, 2]);

export async function zipOf(entries: Array<{ name: string; data: string | Buffer; compress?: boolean }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data), entry.name, { compress: entry.compress ?? true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The ChatGPT fixture as ChatGPT ships it: conversations.json plus the files, named after their ids. */
export const chatGptZip = () =>
  zipOf([
    { name: "conversations.json", data: CHATGPT_FIXTURE },
    { name: "chat.html", data: "<html></html>" },
    { name: "file-KyotoMap01-kyoto-map.png", data: KYOTO_PNG, compress: false },
  ]);

/** Renames an entry in place (local header and central directory): yazl refuses the names an attacker would use. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error("same length only");
  const out = Buffer.from(zip);
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1)) out.write(to, at);
  return out;
}

/** Makes the central directory declare `size` uncompressed bytes for `name` (a 2 GB entry without 2 GB of data). */
export function declareSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
    const nameLength = out.readUInt16LE(at + 28);
    if (out.toString("utf8", at + 46, at + 46 + nameLength) === name) out.writeUInt32LE(size, at + 24);
  }
  return out;
}
