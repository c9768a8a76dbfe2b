import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, sessionUser } from "../../../test/callers";
import { ALLOWED_EXTENSIONS, checkAttachment } from "../chat/uploads/attachments";
import { MESSAGE_MAX } from "../chat/composer-settings";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

describe("chat.limits", () => {
  it("gives the composer the limits the upload route enforces", async () => {
    const limits = await callerFor(services, sessionUser()).chat.limits();
    expect(limits.maxUploadBytes).toBe(services.env.MAX_UPLOAD_MB * 1024 * 1024);
    expect(limits.messageMax).toBe(MESSAGE_MAX);
    expect(limits.allowedExtensions).toEqual(ALLOWED_EXTENSIONS);
    // Every MIME/extension pair it lists passes the route's own check, and the extensions are the union of them.
    for (const [mime, extensions] of Object.entries(limits.allowedTypes)) {
      for (const extension of extensions) expect(checkAttachment(`f.${extension}`, mime, 1, limits.maxUploadBytes).ok).toBe(true);
    }
    expect([...new Set(Object.values(limits.allowedTypes).flat())].sort()).toEqual(ALLOWED_EXTENSIONS);
  });

  it("needs a session", async () => {
    await expect(callerFor(services, null).chat.limits()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
