import { afterEach, describe, expect, it, vi } from "vitest";
import { en } from "@/lib/shared/i18n/en";
import type { ThreadDetail } from "@/trpc/use-thread-cache";
import { BUSY_FIRST_LOOK_MS, BUSY_LOOK_EVERY_MS, BUSY_WATCH_MAX_MS, busyLookDelays, stopWatchingBusy, watchBusyThread, type BusyWatchDeps } from "./busy-thread";
import { newestReplyOpen } from "./chat-turn";

const at = (second: number) => `2026-12-01T10:00:${String(second).padStart(2, "0")}.000000Z`;

/** Two turns as Threadbook stores them: question, its run, the answer under the run; the newest as `newest` leaves it. */
function thread(newest: { runEnded: boolean; streaming?: boolean }): Pick<ThreadDetail, "steps"> {
  const turn = (n: number, ended: boolean, streaming = false) => [
    { id: `q${n}`, type: "user_message", parentId: null, createdAt: at(n * 10), start: at(n * 10), end: at(n * 10) },
    { id: `r${n}`, type: "run", parentId: `q${n}`, createdAt: at(n * 10 + 1), start: at(n * 10 + 1), end: ended ? at(n * 10 + 5) : null },
    { id: `a${n}`, type: "assistant_message", parentId: `r${n}`, createdAt: at(n * 10 + 2), start: at(n * 10 + 2), streaming },
  ];
  return { steps: [...turn(1, true), ...turn(2, newest.runEnded, newest.streaming)] as unknown as ThreadDetail["steps"] };
}

/** A tRPC utils stand-in whose thread reads answer `answers` in turn (the last one again once they run out). */
function deps(answers: Pick<ThreadDetail, "steps">[]) {
  const fetch = vi.fn(async () => answers[Math.min(fetch.mock.calls.length - 1, answers.length - 1)]!);
  const toast = vi.fn();
  return { fetch, toast, deps: { utils: { threads: { get: { fetch } } }, toast, t: en } as unknown as BusyWatchDeps };
}

describe("a thread another tab is writing", () => {
  afterEach(() => vi.useRealTimers());

  it("is busy while its newest run has no end or its answer is still streaming, as the server reads it", () => {
    expect(newestReplyOpen(thread({ runEnded: false }))).toBe(true);
    expect(newestReplyOpen(thread({ runEnded: true, streaming: true }))).toBe(true);
    expect(newestReplyOpen(thread({ runEnded: true }))).toBe(false);
    expect(newestReplyOpen({ steps: [] })).toBe(false);
    // Left open by a server that died mid-reply, and said so by the server: nobody will end it, so it is not waited for.
    expect(newestReplyOpen({ ...thread({ runEnded: false }), window: { openReply: "cut-off" } })).toBe(false);
    expect(newestReplyOpen({ ...thread({ runEnded: false }), window: { openReply: "writing" } })).toBe(true);
  });

  it("is looked at again after a moment, then every few seconds, until its reply has ended; then the user is told", async () => {
    vi.useFakeTimers();
    const { fetch, toast, deps: d } = deps([thread({ runEnded: false }), thread({ runEnded: false }), thread({ runEnded: true })]);
    const watched = watchBusyThread(d, "t-free");
    // A second refusal meanwhile joins the watch running.
    expect(await watchBusyThread(d, "t-free")).toBe(false);
    await vi.advanceTimersByTimeAsync(BUSY_FIRST_LOOK_MS - 1);
    expect(fetch).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(BUSY_LOOK_EVERY_MS * 2);
    expect(await watched).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(fetch).toHaveBeenCalledWith({ threadId: "t-free" }, { staleTime: 0 });
    expect(toast).toHaveBeenCalledExactlyOnceWith(en.sendWhenFree);
    await vi.advanceTimersByTimeAsync(BUSY_WATCH_MAX_MS);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("is bounded: a reply still open after a few minutes ends the watch, with nothing said and no look after it", async () => {
    vi.useFakeTimers();
    const { fetch, toast, deps: d } = deps([thread({ runEnded: false })]);
    const watched = watchBusyThread(d, "t-long");
    await vi.advanceTimersByTimeAsync(BUSY_WATCH_MAX_MS);
    expect(await watched).toBe(false);
    expect(fetch.mock.calls.length).toBe(1 + busyLookDelays().length);
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(BUSY_WATCH_MAX_MS / BUSY_LOOK_EVERY_MS + 1);
    await vi.advanceTimersByTimeAsync(BUSY_WATCH_MAX_MS);
    expect(fetch.mock.calls.length).toBe(1 + busyLookDelays().length);
    expect(toast).not.toHaveBeenCalled();
  });

  it("ends when this tab sends or leaves the thread: no more looks, nothing said", async () => {
    vi.useFakeTimers();
    const { fetch, toast, deps: d } = deps([thread({ runEnded: false }), thread({ runEnded: true })]);
    const watched = watchBusyThread(d, "t-left");
    await vi.advanceTimersByTimeAsync(BUSY_FIRST_LOOK_MS);
    stopWatchingBusy("t-left");
    await vi.advanceTimersByTimeAsync(BUSY_WATCH_MAX_MS);
    expect(await watched).toBe(false);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(toast).not.toHaveBeenCalled();
  });
});
