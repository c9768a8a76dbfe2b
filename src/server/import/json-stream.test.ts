import { describe, expect, it } from "vitest";
import { ImportError } from "./import-limits";
import { streamJsonItems, type JsonItem } from "./json-stream";

const limits = { maxDepth: 8, maxItemBytes: 1000, maxTotalBytes: 100_000 };

async function collect(text: string | string[], options = limits): Promise<JsonItem[]> {
  const chunks = (Array.isArray(text) ? text : [text]).map((t) => Buffer.from(t));
  const items: JsonItem[] = [];
  for await (const item of streamJsonItems(chunks, options)) items.push(item);
  return items;
}

describe("streaming JSON items", () => {
  it("yields each element of a top-level array, across chunk boundaries and with brackets inside strings", async () => {
    const items = await collect(['\ufeff[ {"a": "x]}\\"[{"}', ', {"b": [1, {"c": 2}]}', "]  \n"]);
    expect(items.map((i) => ("value" in i ? i.value : i.error))).toEqual([{ a: 'x]}"[{' }, { b: [1, { c: 2 }] }]);
  });

  it("a top-level object is one item", async () => {
    expect(await collect('{"threadbookExport": 1, "thread": {}}')).toEqual([{ index: 0, topLevel: "object", value: { threadbookExport: 1, thread: {} } }]);
  });

  it("scalars and broken items are skipped with a reason, the rest still read", async () => {
    const items = await collect('[1, "s,]", {"bad": }, {"ok": true}]');
    expect(items.map((i) => ("value" in i ? i.value : i.error))).toEqual([
      { code: "not-object" },
      { code: "not-object" },
      { code: "invalid-json" },
      { ok: true },
    ]);
  });

  it("an item over the size limit is skipped without being kept", async () => {
    const items = await collect(`[{"big": "${"x".repeat(2000)}"}, {"small": 1}]`);
    expect(items[0]).toMatchObject({ error: { code: "item-over", limitMb: 0 } });
    expect(items[1]).toMatchObject({ value: { small: 1 } });
  });

  it("JSON nested 100,000 deep is refused at the depth limit, before any parse", async () => {
    const deep = `[${"[".repeat(100_000)}${"]".repeat(100_000)}]`;
    await expect(collect(deep, { ...limits, maxTotalBytes: 1_000_000 })).rejects.toThrow(/nested deeper than 8 levels/);
  });

  it("refuses what is not JSON, what ends early, trailing data and a document over the total", async () => {
    await expect(collect("PK\u0003\u0004")).rejects.toThrow(ImportError);
    await expect(collect('[{"a": 1}')).rejects.toThrow(/ends early/);
    await expect(collect("[] x")).rejects.toThrow(/after its end/);
    await expect(collect(`[${'{"a":1},'.repeat(20_000)}{}]`)).rejects.toThrow(/larger than/);
  });

  it("counting reads nothing into memory and counts every item", async () => {
    expect(await collect(`[{"a": 1}, {"b": "${"x".repeat(5000)}"}, 3]`, { ...limits, countOnly: true } as typeof limits)).toHaveLength(3);
  });
});
