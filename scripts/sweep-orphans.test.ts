/** `npm run sweep-orphans` (sweep-orphans.ts) on real dynalite and s3rver; the sweep itself: orphan-sweep.test.ts. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ORPHAN_GRACE_MS, previewKeyOf } from "../src/data";
import { type StorageClient } from "../src/data/storage/storage-client";
import { testTable, uid, type TestTable } from "../test/data-fixtures";
import { freshStorage } from "../test/storage-backends";
import { parseSweepArgs, sweepOrphans } from "./sweep-orphans";

let table: TestTable;
let storage: StorageClient;
beforeAll(async () => {
  table = await testTable();
  storage = await freshStorage("s3");
});
afterAll(() => storage.close());

const exists = (key: string) => storage.size(key).then(() => true, () => false);

describe("npm run sweep-orphans", () => {
  it("walks the whole bucket page after page and deletes the previews of elements that are gone; --runs bounds it", async () => {
    const keys = Array.from({ length: 5 }, () => previewKeyOf(uid("t-"), uid("e-"), `someone/${uid()}`));
    for (const objectKey of keys) await storage.uploadFile({ objectKey, data: "x", mime: "image/webp" });
    const data = table.layer({ storageProvider: storage });
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), progress: () => undefined };
    const now = Date.now() + ORPHAN_GRACE_MS + 60_000;

    expect(await sweepOrphans(data, 1, io, { now, pageSize: 2 })).toBe(1);
    expect(lines.join("\n")).toContain("Stopped after 1 run(s), before the end of the bucket");
    lines.length = 0;
    expect(await sweepOrphans(data, 1000, io, { now, pageSize: 2 })).toBe(0);
    expect(lines.join("\n")).toMatch(/deleted 3,/);
    for (const objectKey of keys) expect(await exists(objectKey)).toBe(false);
  });

  it("takes --runs as a whole number from 1 to 100000, and nothing else", () => {
    expect(parseSweepArgs([])).toEqual({ runs: 1000 });
    expect(parseSweepArgs(["--runs", "20"])).toEqual({ runs: 20 });
    for (const argv of [["--runs", "0"], ["--runs", "100001"], ["--runs", "1e3"], ["--runs", "-1"], ["--fix"], ["x"]]) {
      expect(() => parseSweepArgs(argv), argv.join(" ")).toThrow(/Usage|--runs/);
    }
  });
});
