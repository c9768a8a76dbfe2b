import { describe, expect, it } from "vitest";
import { base64Bytes, dataUrlImage, decodeDataUrl } from "./data-url";

describe("data URL images", () => {
  it("reads a base64 image's type and bytes", () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const url = `data:image/PNG;base64,${bytes.toString("base64")}`;
    const image = dataUrlImage(url)!;
    expect(image).toMatchObject({ mime: "image/png", extension: "png" });
    expect(base64Bytes(url, image.start)).toBe(bytes.length);
    expect(decodeDataUrl(url, image.start)).toEqual(bytes);
  });

  it("knows the size before decoding, padding included", () => {
    for (const length of [0, 1, 2, 3, 4, 5, 1000]) {
      const url = `data:image/gif;base64,${Buffer.alloc(length, 7).toString("base64")}`;
      expect(base64Bytes(url, dataUrlImage(url)!.start)).toBe(length);
    }
  });

  it("is not an image: another type, no base64, no data URL at all", () => {
    expect(dataUrlImage("data:text/html;base64,PHNjcmlwdD4=")).toBeNull();
    expect(dataUrlImage("data:image/svg+xml,%3Csvg%3E")).toBeNull();
    expect(dataUrlImage("https://example.com/a.png")).toBeNull();
    // An image type no upload takes is read, with no extension: the upload's own checks then refuse it.
    expect(dataUrlImage("data:image/svg+xml;base64,PHN2Zz4=")).toMatchObject({ mime: "image/svg+xml", extension: null });
  });

  it("refuses text that is not base64 instead of storing what Node would make of it", () => {
    const url = "data:image/png;base64,not*base64!";
    expect(decodeDataUrl(url, dataUrlImage(url)!.start)).toBeNull();
  });
});
