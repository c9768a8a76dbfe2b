import { afterAll, describe, expect, it } from "vitest";
import { BACKENDS, freshStorage } from "../../../test/storage-backends";

const ORIGIN = "http://localhost:3000";

describe.each(BACKENDS)("allowBrowserReads on %s", (backend) => {
  const opened: { close(): Promise<void> }[] = [];
  afterAll(() => Promise.all(opened.map((s) => s.close())));

  it("lets the app's origin read a signed link with fetch, and no other origin", async () => {
    const storage = await freshStorage(backend);
    opened.push(storage);
    await storage.uploadFile({ objectKey: "t/e/preview.csv", data: "a,b\n1,2\n", mime: "text/csv", fileName: "preview.csv" });
    const { url } = await storage.getReadUrl("t/e/preview.csv");
    const before = await fetch(url, { headers: { origin: ORIGIN } });
    expect(before.headers.get("access-control-allow-origin")).toBeNull();
    await storage.allowBrowserReads([ORIGIN]);
    const after = await fetch(url, { headers: { origin: ORIGIN } });
    expect(after.status).toBe(200);
    expect(after.headers.get("access-control-allow-origin")).toMatch(/^(\*|http:\/\/localhost:3000)$/);
    expect(await after.text()).toBe("a,b\n1,2\n");
    const stranger = await fetch(url, { headers: { origin: "http://evil.example" } });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
  });
});
