import { describe, expect, it } from "vitest";
import { renamedAtStart } from "./chat-turn";

describe("the thread's name as a turn starts", () => {
  it("takes the name the start event carries when it differs from the cached one (an edit renamed the thread)", () => {
    expect(renamedAtStart("Tea houses in Uji", "Moss gardens")).toBe("Moss gardens");
    // A first send names an unnamed thread.
    expect(renamedAtStart(null, "Tea houses in Uji")).toBe("Tea houses in Uji");
    expect(renamedAtStart(undefined, "Tea houses in Uji")).toBe("Tea houses in Uji");
  });

  it("leaves the cache alone when the name is the same, or the event carries none", () => {
    expect(renamedAtStart("Tea houses in Uji", "Tea houses in Uji")).toBeNull();
    expect(renamedAtStart("Tea houses in Uji", null)).toBeNull();
  });
});
