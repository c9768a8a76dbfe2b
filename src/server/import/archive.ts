/**
 * A zip read by its central directory (yauzl), never loaded whole: entries are opened one at a time as streams.
 * Hostile archives are refused before inflating anything: too many entries, a total that expands past the limit, an
 * entry over its size cap or with a zip-bomb ratio. Sizes are then enforced again while reading (yauzl checks the
 * bytes against the declared size; a counter here is the backstop). Entry names are only ever keys of a lookup
 * table: never paths on disk, never storage keys.
 */
import { Transform, type Readable } from "node:stream";
import type yauzl from "yauzl";
import { isDataError } from "@/data";
import type { ImportFile } from "./import-file";
import type { EntryRefusal } from "@/lib/shared/import-problem";
import { ImportError, type ImportLimits } from "./import-limits";

export interface ArchiveEntry {
  name: string;
  size: number;
  compressedSize: number;
  raw: yauzl.Entry;
}

const MB = 1024 * 1024;
const megabytes = (bytes: number) => Math.round(bytes / MB);
const mb = (bytes: number) => `${megabytes(bytes)} MB`;

export class Archive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly entries: ReadonlyMap<string, ArchiveEntry>,
    private readonly limits: ImportLimits,
  ) {}

  static async open(file: ImportFile, limits: ImportLimits): Promise<Archive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await file.openZip({ lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false });
    } catch (error) {
      if (isDataError(error)) throw error;
      throw new ImportError({ code: "not-zip", detail: describe(error) });
    }
    try {
      if (zip.entryCount > limits.maxEntries) throw new ImportError({ code: "zip-entries", entries: zip.entryCount, limit: limits.maxEntries });
      const entries = await readDirectory(zip);
      let total = 0;
      for (const entry of entries.values()) total += entry.size;
      if (total > limits.maxTotalUncompressedBytes) {
        throw new ImportError({ code: "zip-expands", limitMb: megabytes(limits.maxTotalUncompressedBytes) });
      }
      return new Archive(zip, entries, limits);
    } catch (error) {
      zip.close();
      if (error instanceof ImportError || isDataError(error)) throw error;
      throw new ImportError({ code: "zip-damaged", detail: describe(error) });
    }
  }

  /** Why this entry may not be read under `maxBytes`, or null when it may. */
  refusal(entry: ArchiveEntry, maxBytes: number): EntryRefusal | null {
    if (entry.size > maxBytes) return { kind: "size", size: entry.size > 1024 * MB ? `${(entry.size / 1024 / MB).toFixed(1)} GB` : mb(entry.size), limitMb: megabytes(maxBytes) };
    const ratio = entry.compressedSize > 0 ? entry.size / entry.compressedSize : Infinity;
    if (entry.size > MB && ratio > this.limits.maxRatio) return { kind: "bomb", ratio: Number.isFinite(ratio) ? Math.round(ratio) : null };
    return null;
  }

  /** The entry's bytes as a stream that fails past `maxBytes` whatever the zip declared. */
  async stream(entry: ArchiveEntry, maxBytes: number): Promise<Readable> {
    const refused = this.refusal(entry, maxBytes);
    if (refused) throw new ImportError({ code: "entry-refused", name: clip(entry.name), refusal: refused });
    const source = await new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry.raw, (error, stream) =>
        error ? reject(isDataError(error) ? error : new ImportError({ code: "entry-unreadable", name: clip(entry.name), detail: describe(error) })) : resolve(stream),
      ),
    );
    let seen = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        callback(seen > maxBytes ? new ImportError({ code: "entry-over", name: clip(entry.name), limitMb: megabytes(maxBytes) }) : null, chunk);
      },
    });
    // Storage failing mid-read stays a storage failure (the job says storage is unavailable), not a damaged file.
    source.on("error", (error) =>
      counter.destroy(error instanceof ImportError || isDataError(error) ? error : new ImportError({ code: "entry-damaged", name: clip(entry.name), detail: describe(error) })),
    );
    return source.pipe(counter);
  }

  async read(entry: ArchiveEntry, maxBytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.stream(entry, maxBytes)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  close(): void {
    this.zip.close();
  }
}

function readDirectory(zip: yauzl.ZipFile): Promise<Map<string, ArchiveEntry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, ArchiveEntry>();
    zip.on("entry", (raw: yauzl.Entry) => {
      // Directories carry nothing; a repeated name keeps its first entry.
      if (!raw.fileName.endsWith("/") && !entries.has(raw.fileName)) {
        entries.set(raw.fileName, { name: raw.fileName, size: raw.uncompressedSize, compressedSize: raw.compressedSize, raw });
      }
      zip.readEntry();
    });
    zip.once("end", () => resolve(entries));
    zip.once("error", reject);
    zip.readEntry();
  });
}

const describe = (error: unknown) => clip(error instanceof Error ? error.message : String(error));
export const clip = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** The last segment of an entry name: for matching only. */
export const baseName = (entryName: string) => entryName.slice(entryName.lastIndexOf("/") + 1);
