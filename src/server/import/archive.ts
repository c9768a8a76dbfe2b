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
import { ImportError, type ImportLimits } from "./import-limits";

export interface ArchiveEntry {
  name: string;
  size: number;
  compressedSize: number;
  raw: yauzl.Entry;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;

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
      throw new ImportError(`This is not a readable zip file (${describe(error)}).`);
    }
    try {
      if (zip.entryCount > limits.maxEntries) throw new ImportError(`The zip holds ${zip.entryCount} entries; at most ${limits.maxEntries} are read.`);
      const entries = await readDirectory(zip);
      let total = 0;
      for (const entry of entries.values()) total += entry.size;
      if (total > limits.maxTotalUncompressedBytes) {
        throw new ImportError(`The zip expands to more than ${mb(limits.maxTotalUncompressedBytes)}; an import reads at most that.`);
      }
      return new Archive(zip, entries, limits);
    } catch (error) {
      zip.close();
      if (error instanceof ImportError || isDataError(error)) throw error;
      throw new ImportError(`This zip file is damaged or not supported (${describe(error)}).`);
    }
  }

  /** Why this entry may not be read under `maxBytes`, or null when it may. */
  refusal(entry: ArchiveEntry, maxBytes: number): string | null {
    if (entry.size > maxBytes) return `${entry.size > 1024 * MB ? `${(entry.size / 1024 / MB).toFixed(1)} GB` : mb(entry.size)} is over the ${mb(maxBytes)} limit`;
    const ratio = entry.compressedSize > 0 ? entry.size / entry.compressedSize : Infinity;
    if (entry.size > MB && ratio > this.limits.maxRatio) return `it expands ${Number.isFinite(ratio) ? Math.round(ratio) : "endlessly"} times (a zip bomb)`;
    return null;
  }

  /** The entry's bytes as a stream that fails past `maxBytes` whatever the zip declared. */
  async stream(entry: ArchiveEntry, maxBytes: number): Promise<Readable> {
    const refused = this.refusal(entry, maxBytes);
    if (refused) throw new ImportError(`“${clip(entry.name)}” was not read: ${refused}.`);
    const source = await new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry.raw, (error, stream) =>
        error ? reject(isDataError(error) ? error : new ImportError(`“${clip(entry.name)}” could not be read (${describe(error)}).`)) : resolve(stream),
      ),
    );
    let seen = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        callback(seen > maxBytes ? new ImportError(`“${clip(entry.name)}” holds more than the ${mb(maxBytes)} allowed.`) : null, chunk);
      },
    });
    // Storage failing mid-read stays a storage failure (the job says storage is unavailable), not a damaged file.
    source.on("error", (error) =>
      counter.destroy(error instanceof ImportError || isDataError(error) ? error : new ImportError(`“${clip(entry.name)}” is damaged (${describe(error)}).`)),
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
