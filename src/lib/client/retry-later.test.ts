import { afterEach, describe, expect, it, vi } from "vitest";
import { retryLater, waitShown, type Wait } from "./retry-later";

/** A wait that records the delays asked for and resolves at once (or false once `signal` aborted). */
function recordingWait() {
  const delays: number[] = [];
  const wait: Wait = async (ms, signal) => {
    delays.push(ms);
    return !signal?.aborted;
  };
  return { delays, wait };
}

describe("asking again later", () => {
  afterEach(() => vi.useRealTimers());

  it("asks at once, then after each delay until an answer that is not null", async () => {
    const { delays, wait } = recordingWait();
    const answers = [null, null, { url: "preview" }];
    let asked = 0;
    expect(await retryLater(async () => answers[asked++]!, [2_000, 5_000, 12_000], { wait })).toEqual({ url: "preview" });
    expect(asked).toBe(3);
    expect(delays).toEqual([2_000, 5_000]);
  });

  it("is bounded: null once every delay is spent, never more tries than delays + 1", async () => {
    const { delays, wait } = recordingWait();
    let asked = 0;
    expect(await retryLater(async () => (asked++, null), [1, 2, 3], { wait })).toBeNull();
    expect(asked).toBe(4);
    expect(delays).toEqual([1, 2, 3]);
  });

  it("stops when its signal aborts, and a failed ask ends the tries with its error", async () => {
    const controller = new AbortController();
    const { wait } = recordingWait();
    let asked = 0;
    const gone = retryLater(
      async () => {
        asked++;
        controller.abort();
        return null;
      },
      [1, 2, 3],
      { signal: controller.signal, wait },
    );
    expect(await gone).toBeNull();
    expect(asked).toBe(1);
    let failed = 0;
    await expect(retryLater(async () => (failed++, Promise.reject(new Error("offline"))), [1, 2], { wait })).rejects.toThrow("offline");
    expect(failed).toBe(1);
  });

  it("waits no time while the tab is hidden: the wait ends only once it is shown again", async () => {
    vi.useFakeTimers();
    const listeners = new Set<() => void>();
    const doc = {
      visibilityState: "hidden" as DocumentVisibilityState,
      addEventListener: (_: string, listener: () => void) => void listeners.add(listener),
      removeEventListener: (_: string, listener: () => void) => void listeners.delete(listener),
    } as unknown as Pick<Document, "visibilityState" | "addEventListener" | "removeEventListener">;
    let ended: boolean | null = null;
    void waitShown(1_000, undefined, doc).then((value) => (ended = value));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ended).toBeNull();
    (doc as { visibilityState: DocumentVisibilityState }).visibilityState = "visible";
    listeners.forEach((listener) => listener());
    await vi.advanceTimersByTimeAsync(0);
    expect(ended).toBe(true);
    expect(listeners.size).toBe(0);

    const controller = new AbortController();
    let aborted: boolean | null = null;
    void waitShown(1_000, controller.signal, doc).then((value) => (aborted = value));
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toBe(false);
  });
});
