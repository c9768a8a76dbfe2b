import { describe, expect, it } from "vitest";
import { FairSlots } from "./fair-slots";

class TurnedAway extends Error {}

/** An ask whose work runs until `finish()`; `started` says whether it got a place, `outcome` how it ended. */
function ask(slots: FairSlots, lane: string, name: string, order: string[]) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const outcome = slots
    .run(lane, async () => {
      order.push(name);
      await done;
    })
    .then(
      () => "made",
      (error: unknown) => (error instanceof TurnedAway ? "turned away" : "failed"),
    );
  return { finish, outcome };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("FairSlots", () => {
  it("serves waiting lanes in turn, not in the order they asked", async () => {
    const order: string[] = [];
    const slots = new FairSlots(1, { waiting: 10 }, () => new TurnedAway());
    const asks = [ask(slots, "a", "a1", order), ask(slots, "a", "a2", order), ask(slots, "a", "a3", order), ask(slots, "b", "b1", order), ask(slots, "b", "b2", order)];
    for (let i = 0; i < asks.length; i++) {
      await settle();
      // Whatever runs now is the one to finish; the next in line then starts.
      asks.find((_, j) => order[i] === ["a1", "a2", "a3", "b1", "b2"][j])!.finish();
    }
    expect(await Promise.all(asks.map((a) => a.outcome))).toEqual(["made", "made", "made", "made", "made"]);
    // b1 asked after a3 but is served before it: one of each lane in turn.
    expect(order).toEqual(["a1", "a2", "b1", "a3", "b2"]);
  });

  it("a full queue of one lane's asks makes room for another lane: that lane's newest ask is turned away", async () => {
    const order: string[] = [];
    const slots = new FairSlots(1, { waiting: 3 }, () => new TurnedAway());
    const running = ask(slots, "gallery", "g0", order);
    const gallery = [1, 2, 3].map((i) => ask(slots, "gallery", `g${i}`, order));
    const other = ask(slots, "other", "o1", order);
    expect(await gallery[2]!.outcome).toBe("turned away");
    // Then one of each lane in turn: the other thread's first thumbnail is made after one more of the gallery's,
    // not after the whole gallery.
    const expected = ["g0", "g1", "o1", "g2"];
    const byName = new Map([running, ...gallery.slice(0, 2), other].map((a, i) => [["g0", "g1", "g2", "o1"][i]!, a]));
    for (let i = 0; i < expected.length; i++) {
      await settle();
      byName.get(order[i]!)!.finish();
    }
    expect(await Promise.all([running, ...gallery, other].map((a) => a.outcome))).toEqual(["made", "made", "made", "turned away", "made"]);
    expect(order).toEqual(expected);
  });

  it("lanes as long as each other keep their places: the newcomer is the one turned away", async () => {
    const order: string[] = [];
    const slots = new FairSlots(1, { waiting: 2 }, () => new TurnedAway());
    const asks = [ask(slots, "a", "a0", order), ask(slots, "a", "a1", order), ask(slots, "b", "b1", order), ask(slots, "b", "b2", order)];
    expect(await asks[3]!.outcome).toBe("turned away");
    for (let i = 0; i < 3; i++) {
      await settle();
      asks.find((_, j) => order[i] === ["a0", "a1", "b1"][j])!.finish();
    }
    expect(await Promise.all(asks.slice(0, 3).map((a) => a.outcome))).toEqual(["made", "made", "made"]);
  });

  it("gives every place back: after a burst, as many asks run at once as there are places", async () => {
    const order: string[] = [];
    const slots = new FairSlots(2, { waiting: 1 }, () => new TurnedAway());
    const burst = ["a", "b", "c", "d"].map((lane) => ask(slots, lane, lane, order));
    expect(await burst[3]!.outcome).toBe("turned away");
    for (const a of burst) a.finish();
    await Promise.all(burst.map((a) => a.outcome));
    const after = [ask(slots, "x", "x", order), ask(slots, "y", "y", order)];
    await settle();
    expect(order.slice(-2)).toEqual(["x", "y"]);
    for (const a of after) a.finish();
    expect(await Promise.all(after.map((a) => a.outcome))).toEqual(["made", "made"]);
  });
});
