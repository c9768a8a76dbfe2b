import { createTRPCClient } from "@trpc/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppRouter } from "@/server/root";
import { trpcLinks } from "./links";

afterEach(() => vi.unstubAllGlobals());

/** The browser's fetch, refusing every request once it has noted what the request asked for. */
function recordingFetch() {
  const sent: { procedure: string; keepalive: boolean }[] = [];
  vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) => {
    const procedure = new URL(String(input), "http://localhost").pathname.replace("/api/trpc/", "");
    sent.push({ procedure, keepalive: init?.keepalive === true });
    return Promise.reject(new TypeError("offline"));
  });
  return sent;
}

describe("the browser's tRPC links", () => {
  it("send one-shot changes kept alive, so leaving the page at once does not cancel them", async () => {
    const sent = recordingFetch();
    const client = createTRPCClient<AppRouter>({ links: trpcLinks() });
    const input = {} as never;
    await Promise.allSettled([client.feedback.upsert.mutate(input)]);
    await Promise.allSettled([client.threads.rename.mutate(input)]);
    await Promise.allSettled([client.threads.delete.mutate(input)]);
    expect(sent).toEqual([
      { procedure: "feedback.upsert", keepalive: true },
      { procedure: "threads.rename", keepalive: true },
      { procedure: "threads.delete", keepalive: true },
    ]);
  });

  it("leave reads and streamed replies tied to their page (Stop, a closed tab end them)", async () => {
    const sent = recordingFetch();
    const client = createTRPCClient<AppRouter>({ links: trpcLinks() });
    const input = {} as never;
    await Promise.allSettled([client.threads.list.query(input)]);
    for (const procedure of [client.chat.send, client.chat.regenerate, client.chat.edit]) await Promise.allSettled([procedure.mutate(input)]);
    expect(sent).toEqual([
      { procedure: "threads.list", keepalive: false },
      { procedure: "chat.send", keepalive: false },
      { procedure: "chat.regenerate", keepalive: false },
      { procedure: "chat.edit", keepalive: false },
    ]);
  });
});
