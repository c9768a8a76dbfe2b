/**
 * The app can be pinned and installed: every page links a favicon, an SVG icon, an Apple touch icon and a web
 * manifest, and each of them (and every icon the manifest lists) is served from public/ as what it says it is.
 */
import { expect, test } from "./fixtures";
import { DocumentHead } from "./pages/document-head";

test.describe("icons and manifest", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("the sign-in page links icons and a manifest that all load", async ({ page, request }) => {
    await page.goto("/sign-in");
    const head = new DocumentHead(page);
    const hrefs = (rel: string) => head.linkHrefs(rel);
    const icons = await hrefs("icon");
    expect(icons).toEqual(expect.arrayContaining([expect.stringMatching(/^\/favicon\.ico/), expect.stringMatching(/^\/icon\.svg/)]));
    const [manifestHref] = await hrefs("manifest");
    expect(manifestHref).toMatch(/^\/manifest\.webmanifest/);

    const manifest = (await (await request.get(manifestHref!)).json()) as { name: string; start_url: string; icons: { src: string; type: string }[] };
    expect(manifest.name).toBe("Threadbook");
    expect(manifest.start_url).toBe("/threads");
    const files = [...icons, ...(await hrefs("apple-touch-icon")), ...manifest.icons.map((icon) => icon.src)];
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const response = await request.get(file);
      expect(response.status(), file).toBe(200);
      expect(response.headers()["content-type"], file).toMatch(/^image\//);
      expect((await response.body()).length, file).toBeGreaterThan(100);
    }
  });
});
