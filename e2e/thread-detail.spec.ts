import { readFile } from "node:fs/promises";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { demoId, SALES_CSV } from "../scripts/seed";
import { expect, snap, test as demo, trpcCallEnded } from "./fixtures";
import { ownUser, seedThreads, showcaseThread } from "./fresh-user";

const SHOWCASE = "Q3 sales by region";

/** The showcase thread (as the demo seed writes alice's) for a user of this spec's own: the feedback test changes it. */
const test = ownUser("thread-detail", (data, identifier) => seedThreads(data, [showcaseThread(identifier, SHOWCASE)]));

test.describe("thread detail", () => {
  test.beforeEach(async ({ threads }) => {
    await threads.goto();
    await threads.open(SHOWCASE);
  });

  test("shows the conversation: user on the right, Markdown answers with a table and code, nested tool steps", async ({ page, thread }) => {
    await expect(thread.userMessages.first()).toContainText("Here are our Q3 numbers");
    await expect(thread.assistantMessages).toHaveCount(2);
    const table = thread.assistantMessages.first().getByRole("table");
    await expect(table.getByRole("columnheader", { name: "Revenue (€)" })).toBeVisible();
    await expect(table.getByRole("row", { name: /East.*201,750/ })).toBeVisible();
    await expect(thread.assistantMessages.first().getByRole("button", { name: "Copy code" })).toBeVisible();
    await expect(thread.codeKeywords(thread.assistantMessages.first()).first()).toBeVisible();

    // The user's bubble sits right of the assistant's text.
    const userBox = (await thread.bubble(thread.userMessages.first()).boundingBox())!;
    const answerBox = (await thread.assistantMessages.first().boundingBox())!;
    expect(userBox.x + userBox.width).toBeGreaterThan(answerBox.x + answerBox.width / 2);

    // run_python: a tool step under the run, collapsed until opened, with its JSON input and duration.
    const tool = thread.step("run_python");
    await expect(tool).toHaveCount(1);
    await expect(tool).toHaveAttribute("data-step-type", "tool");
    await expect(tool.getByText("read_csv")).toBeHidden();
    await expect(thread.stepSummary("run_python")).toContainText(/\d(\.\d)? s|\d+ ms/);
    await thread.stepSummary("run_python").click();
    await expect(tool.getByText(/read_csv/)).toBeVisible();
    await expect(tool.getByText("East    201750")).toBeVisible();
    // It is drawn inside the assistant turn of its run, before that run's answer.
    const turn = thread.assistantTurns.first();
    await expect(turn.getByTestId("step")).toHaveCount(1);
    await expect(turn.getByTestId("assistant-message")).toHaveCount(1);
    await snap(page, "thread-showcase");

    // Timestamps: the full date on hover.
    await expect(thread.time(thread.userMessages.first())).toHaveAttribute("title", /\d{4}/);
  });

  test("gives 👍 with a comment, keeps it across a reload, then removes it", async ({ page, thread }) => {
    // Three dialogs and two reloads: at the edge of a minute on a busy machine (it ran out at its last check, load 19).
    test.slow();
    // The first answer's run was rated by the seed; the second is not.
    await expect(thread.up(0)).toHaveAttribute("aria-pressed", "true");
    await expect(thread.comment(0)).toContainText("Great breakdown");
    await expect(thread.up(1)).toHaveAttribute("aria-pressed", "false");
    await expect(thread.down(1)).toHaveAttribute("aria-pressed", "false");

    // Cancel stores nothing; Enter in the comment box does not submit.
    await thread.up(1).click();
    const dialog = thread.dialog;
    await thread.commentBox().pressSequentially("line one");
    await thread.commentBox().press("Enter");
    await expect(dialog).toBeVisible();
    await snap(page, "feedback-dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(thread.up(1)).toHaveAttribute("aria-pressed", "false");

    await thread.rate(1, "up", "Clear next steps for Q4.");
    await expect(thread.up(1)).toHaveAttribute("aria-pressed", "true");
    await expect(thread.comment(1)).toContainText("Clear next steps for Q4.");
    await snap(page, "feedback-given");
    await page.reload();
    await expect(thread.up(1)).toHaveAttribute("aria-pressed", "true");
    await expect(thread.comment(1)).toContainText("Clear next steps for Q4.");

    // Edit the comment, switch to 👎 on the way.
    await thread.comment(1).getByRole("button", { name: "Edit comment" }).click();
    await expect(thread.commentBox()).toHaveValue("Clear next steps for Q4.");
    await thread.dialog.getByRole("button", { name: "Cancel" }).click();

    // Clicking the active thumb removes the feedback. The page shows it at once; the reload waits for the server's
    // answer (a reload sooner keeps the change too, its request outlives the page, but may read before it lands).
    const removed = trpcCallEnded(page, "feedback.delete");
    await thread.up(1).click();
    await expect(thread.up(1)).toHaveAttribute("aria-pressed", "false");
    await expect(thread.comment(1)).toHaveCount(0);
    await removed;
    await page.reload();
    await expect(thread.up(1)).toHaveAttribute("aria-pressed", "false");
    await expect(thread.down(1)).toHaveAttribute("aria-pressed", "false");
    await expect(thread.comment(1)).toHaveCount(0);
    // The seeded feedback on the first answer is untouched.
    await expect(thread.up(0)).toHaveAttribute("aria-pressed", "true");
  });

  test("a failed feedback write rolls back and says so", async ({ page, thread }) => {
    await page.route("**/api/trpc/feedback.upsert**", (route) => route.fulfill({ status: 500, contentType: "application/json", body: "{}" }));
    await thread.rate(1, "down");
    await expect(thread.alert("Couldn't save your feedback")).toBeVisible();
    await expect(thread.down(1)).toHaveAttribute("aria-pressed", "false");
    await snap(page, "feedback-error-toast");
  });

  test("downloads the CSV under its own name with the seeded bytes", async ({ thread }) => {
    const chip = thread.download("q3-sales.csv");
    await expect(chip).toContainText("CSV");
    await expect(chip).toContainText(/\d+ B/);
    const download = await thread.saveDownload(() => chip.click());
    expect(download.suggestedFilename()).toBe("q3-sales.csv");
    const bytes = await readFile((await download.path())!);
    expect(bytes.toString("utf8")).toBe(SALES_CSV);
  });

  test("previews the CSV as a table when the bucket allows the browser to read it", async ({ page, thread }) => {
    // The embedded s3rver has no CORS rule, so the preview is skipped there; here the test adds the header a
    // bucket CORS rule would send, and reloads so the preview is fetched again.
    await page.route(/q3-sales\.csv|X-Amz-Signature/, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), "access-control-allow-origin": "*" } });
    });
    await page.reload();
    const preview = thread.userMessages.first().getByTestId("csv-preview");
    await expect(preview.getByRole("columnheader", { name: "revenue_eur" })).toBeVisible();
    await expect(preview.getByRole("row")).toHaveCount(5);
    await expect(preview.getByRole("row", { name: /East.*201750/ })).toBeVisible();
    await snap(page, "csv-preview");
  });

  test("re-signs a link that expired while the page was open, without a reload", async ({ page, thread }) => {
    const chip = thread.download("q3-sales.csv");
    await expect(chip).toBeVisible();
    // Two hours later in the page's clock: every signed link there has expired.
    await page.clock.install();
    await page.clock.fastForward("02:00:00");
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    const resigned = page.waitForResponse((response) => response.url().includes("elements.getUrl") && response.ok());
    const download = await thread.saveDownload(() => chip.click());
    await resigned;
    expect(download.suggestedFilename()).toBe("q3-sales.csv");
    expect(navigations).toBe(0);
  });

  test("opens the chart in a dialog", async ({ page, thread }) => {
    const thumb = thread.imageThumbnails;
    await expect(thumb).toHaveCount(1);
    await expect(thumb.getByRole("img", { name: "revenue-by-region.png" })).toBeVisible();
    // The thumbnail draws the chart's preview (made when the seed stored it); the dialog the original.
    await expect(thumb.getByRole("img")).toHaveAttribute("src", /\/threadbook-previews\/[^?]+\.webp\?/);
    await thumb.click();
    const dialog = thread.imageDialog("revenue-by-region.png");
    await expect(dialog).toBeVisible();
    const image = dialog.getByRole("img", { name: "revenue-by-region.png" });
    await expect(image).toBeVisible();
    await expect(image).toHaveAttribute("src", /\/threadbook\/[^?]+\/revenue-by-region\.png\?/);
    expect(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await snap(page, "image-dialog");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(thumb).toBeFocused();
  });

  test("exports Markdown and JSON", async ({ thread }) => {
    const markdown = await thread.exportAs("Markdown");
    expect(markdown.suggestedFilename()).toMatch(/\.md$/);
    expect(await readFile((await markdown.path())!, "utf8")).toContain(SHOWCASE);
    const json = await thread.exportAs("JSON");
    expect(json.suggestedFilename()).toMatch(/\.json$/);
    const parsed = JSON.parse(await readFile((await json.path())!, "utf8"));
    expect(parsed.thread.name).toBe(SHOWCASE);
  });
});

demo.describe("thread detail, edge cases", () => {
  demo("an unknown thread id answers 404 with a friendly not-found page", async ({ page, thread }) => {
    const response = await page.goto("/threads/00000000-0000-4000-a000-000000000000");
    expect(response?.status()).toBe(404);
    await expect(thread.notFoundHeading).toBeVisible();
    await thread.backToThreads.click();
    await expect(page).toHaveURL(/\/threads$/);
    await snap(page, "not-found");
  });

  demo.describe("as bob", () => {
    demo.use({ user: "bob@example.com" });

    demo("stored markup never runs", async ({ page, threads, thread }) => {
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await threads.goto();
      await expect(threads.currentUser).toHaveText("bob@example.com");
      await threads.open("Security check");
      await expect(thread.assistantMessages.first()).toContainText("Stored markup must stay inert");
      // Shown as text, not parsed into elements.
      await expect(thread.assistantMessages.first()).toContainText("<script>window.__xss=2</script>");
      await expect(thread.userMessages.first()).toContainText('onerror="window.__xss=1"');
      await expect(thread.injectedMarkup).toHaveCount(0);
      await thread.stepSummary("fetch_page").click();
      await expect(thread.step("fetch_page")).toContainText("<script>");
      // A javascript: link loses its URL and shows as plain text.
      const link = thread.assistantMessages.first().getByText("click me");
      await expect(link).toBeVisible();
      await expect(thread.assistantMessages.first().getByRole("link", { name: "click me" })).toHaveCount(0);
      expect(await link.evaluate((el) => el.closest("a")?.getAttribute("href") ?? "")).not.toMatch(/^\s*javascript:/i);
      await link.click();
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(dialogs).toEqual([]);
      await snap(page, "xss-inert");
    });

    demo("alice's thread is not found for bob (HTTP 404)", async ({ page, threads, thread }) => {
      await threads.goto();
      await expect(threads.link(SHOWCASE)).toHaveCount(0);
      // Same id scheme as the seed (demoId), so this is alice's real showcase thread.
      const response = await page.goto(`/threads/${demoId("alice@example.com:0")}`);
      // The same answer as for a missing thread: a real 404, not a 200 page that says so.
      expect(response?.status()).toBe(404);
      await expect(thread.notFoundHeading).toBeVisible();
      for (const id of ["alice@example.com", "..%2F..%2Fapi%2Fhealth"]) expect((await page.goto(`/threads/${id}`))?.status(), id).toBe(404);
    });
  });
});

// A PDF preview reads the whole file when the thread opens: one of 21 MB (an item any writer of the table can make)
// is a download chip only, never fetched whole; one of a few bytes is shown.
const PDF_THREAD = "Reports to read";
const pdfBytes = (size: number) => Buffer.concat([Buffer.from("%PDF-1.4\n%%EOF\n"), Buffer.alloc(Math.max(0, size - 15), 0x20)]);
const withPdfs = ownUser("pdf", async (data, identifier) => {
  const [threadId] = await seedThreads(data, [{ user: identifier, index: 0, name: PDF_THREAD }]);
  for (const [id, name, size] of [["small", "small.pdf", 2_000], ["huge", "huge.pdf", 21 * 1024 * 1024]] as const) {
    await data.createElement({ id: demoId(`${threadId}:${id}`), threadId: threadId!, forId: null, type: "pdf", name, mime: "application/pdf", display: "inline", content: pdfBytes(size) }, { owner: identifier });
  }
});

test.describe("PDF attachments", () => {
  withPdfs("a small PDF is shown in place; one over 20 MB is only a download, and is not read (hostile: a huge file as a preview)", async ({ page, threads, thread }) => {
    // The huge file's request, once it has ended (read whole, or given up): the bytes that reached the page.
    const isHuge = (url: string) => new URL(url).pathname.endsWith("/huge.pdf");
    const hugeRead = new Promise<number>((resolve) => {
      page.on("requestfinished", (request) => {
        if (isHuge(request.url())) void request.sizes().then((sizes) => resolve(sizes.responseBodySize));
      });
      page.on("requestfailed", (request) => {
        if (isHuge(request.url())) resolve(0);
      });
    });
    await threads.goto();
    await threads.open(PDF_THREAD);
    await expect(thread.download("small.pdf")).toBeVisible();
    await expect(thread.download("huge.pdf")).toBeVisible();
    // Whatever the network had buffered when the read was given up: far from the whole file.
    expect(await hugeRead).toBeLessThan(10 * 1024 * 1024);
    await expect(thread.pdfPreviews).toHaveCount(1);
    await expect(thread.pdfPreviews).toHaveAttribute("title", /small\.pdf/);
  });
});

// Another writer's THREAD item: Chainlit's update_thread SETs `metadata` to whatever its caller passed (here a string),
// and a custom app's boto3 a numeric `createdAt`. Both are read as absent (docs/data-layer.md, "Attributes Threadbook
// cannot read"); the thread used to answer "could not be processed" instead of opening.
const ODD_THREAD = "Metadata stored as a string";
const withOddThread = ownUser("odd-thread", async (data, identifier) => {
  const [threadId] = await seedThreads(data, [{ user: identifier, index: 0, name: ODD_THREAD }]);
  const { doc, tableName } = data.context;
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { PK: `THREAD#${threadId}`, SK: "THREAD" },
      UpdateExpression: "SET metadata = :m, createdAt = :c",
      ExpressionAttributeValues: { ":m": "not a map", ":c": 1_700_000_000 },
    }),
  );
});

withOddThread("a thread whose metadata another writer stored as a string opens with its conversation", async ({ threads, thread }) => {
  await threads.goto();
  await threads.open(ODD_THREAD);
  await expect(thread.heading).toHaveText(ODD_THREAD);
  await expect(thread.assistantMessages.first()).toBeVisible();
});
