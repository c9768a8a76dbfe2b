/** The orphan sweep's timer and its setting (the sweep itself: src/data/layer/orphans/orphan-sweep.test.ts). */
import { describe, expect, it } from "vitest";
import { type OrphanSweepOptions } from "@/data";
import { parseServerEnv } from "../env";
import type { Services } from "../services";
import { startSweepingOrphanObjects } from "./orphan-objects-sweep";

/** Services whose data layer only records the runs asked of it. */
function recording(minutes: number) {
  const runs: OrphanSweepOptions[] = [];
  const data = { sweepOrphanObjects: async (options: OrphanSweepOptions) => (runs.push(options), { ran: true }) } as unknown as Services["data"];
  const env = parseServerEnv({ ORPHAN_SWEEP_MINUTES: String(minutes) });
  return { runs, services: () => ({ data, env }) };
}

describe("the orphan sweep's timer", () => {
  it("ORPHAN_SWEEP_MINUTES: 10 by default, 0 turns it off, anything else whole from 0 to 1440 or a named error", () => {
    expect(parseServerEnv({}).ORPHAN_SWEEP_MINUTES).toBe(10);
    expect(parseServerEnv({ ORPHAN_SWEEP_MINUTES: "0" }).ORPHAN_SWEEP_MINUTES).toBe(0);
    for (const bad of ["-1", "1441", "1.5", "ten"]) expect(() => parseServerEnv({ ORPHAN_SWEEP_MINUTES: bad })).toThrow(/^ORPHAN_SWEEP_MINUTES: /);
  });

  it("runs at once and then on its interval as one holder per process; off, it never runs", async () => {
    const on = recording(10);
    const stop = startSweepingOrphanObjects(on.services);
    await expect.poll(() => on.runs.length).toBe(1);
    stop();
    expect(on.runs[0]!.holder).toMatch(/^instance-[0-9a-f-]{36}$/);

    const off = recording(0);
    startSweepingOrphanObjects(off.services)();
    await new Promise((resolve) => setImmediate(resolve));
    expect(off.runs).toEqual([]);
  });
});
