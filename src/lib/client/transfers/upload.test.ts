import { describe, expect, it } from "vitest";
import { ALLOWED_EXTENSIONS, ALLOWED_TYPES, checkAttachment } from "@/server/chat/uploads/attachments";
import { acceptAttribute, checkFile, extensionOf, mimeFor, randomId, type UploadLimits } from "./upload";

const limits: UploadLimits = {
  maxUploadBytes: 20 * 1024 * 1024,
  allowedExtensions: ALLOWED_EXTENSIONS,
  allowedTypes: Object.fromEntries(Object.entries(ALLOWED_TYPES).map(([mime, { extensions }]) => [mime, extensions])),
};

describe("mimeFor", () => {
  it("keeps the browser's type when the route accepts it with this extension", () => {
    expect(mimeFor({ name: "notes.md", type: "text/markdown" }, limits.allowedTypes)).toBe("text/markdown");
    expect(mimeFor({ name: "notes.md", type: "text/plain" }, limits.allowedTypes)).toBe("text/plain");
    expect(mimeFor({ name: "photo.JPG", type: "image/jpeg" }, limits.allowedTypes)).toBe("image/jpeg");
  });

  it("picks the allowed type for the extension when the browser gives none or another", () => {
    expect(mimeFor({ name: "server.log", type: "" }, limits.allowedTypes)).toBe("text/plain");
    expect(mimeFor({ name: "sales.csv", type: "application/vnd.ms-excel" }, limits.allowedTypes)).toBe("text/csv");
    expect(mimeFor({ name: "evil.txt", type: "application/x-msdownload" }, limits.allowedTypes)).toBe("text/plain");
  });

  it("is null for an extension the route refuses, or none", () => {
    expect(mimeFor({ name: "setup.exe", type: "application/x-msdownload" }, limits.allowedTypes)).toBeNull();
    expect(mimeFor({ name: "README", type: "text/plain" }, limits.allowedTypes)).toBeNull();
  });

  it("only ever chooses what the route's own check accepts", () => {
    for (const extension of ALLOWED_EXTENSIONS) {
      for (const type of ["", "application/octet-stream", ...Object.keys(ALLOWED_TYPES)]) {
        const mime = mimeFor({ name: `file.${extension}`, type }, limits.allowedTypes);
        expect(mime, `${extension} as ${type}`).not.toBeNull();
        expect(checkAttachment(`file.${extension}`, mime!, 1, limits.maxUploadBytes).ok).toBe(true);
      }
    }
  });
});

describe("checkFile", () => {
  it("refuses the type first, then the size, as the route does", () => {
    expect(checkFile({ name: "a.exe", type: "", size: 10 }, limits)).toEqual({ ok: false, reason: "type" });
    expect(checkFile({ name: "a.exe", type: "", size: limits.maxUploadBytes + 1 }, limits)).toEqual({ ok: false, reason: "type" });
    expect(checkFile({ name: "a.pdf", type: "application/pdf", size: limits.maxUploadBytes + 1 }, limits)).toEqual({ ok: false, reason: "size", maxMb: 20 });
    expect(checkFile({ name: "a.pdf", type: "application/pdf", size: limits.maxUploadBytes }, limits)).toEqual({ ok: true, mime: "application/pdf" });
  });
});

describe("helpers", () => {
  it("extensionOf, acceptAttribute, randomId", () => {
    expect(extensionOf(" Report.Final.PDF ")).toBe("pdf");
    expect(extensionOf("Makefile")).toBe("");
    expect(acceptAttribute({ allowedExtensions: ["csv", "png"] })).toBe(".csv,.png");
    const id = randomId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomId()).not.toBe(id);
  });
});
