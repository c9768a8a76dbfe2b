/**
 * Math in messages (docs/security.md, "Math"): a reply's formulas are drawn by KaTeX, with its styles and fonts from
 * the app's own origin (the fixtures fail the test on any CSP violation), both in a reply the server rendered and in
 * one too costly for the server's budget that the browser draws (lazy-markdown.tsx). Currency stays text.
 */
import { demoId } from "../scripts/seed";
import { expect } from "./fixtures";
import { ownUser } from "./fresh-user";

const NAME = "Formulas to check";
const SHORT = "The roots are \\(x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}\\), and\n\n$$\n\\int_0^1 x^2\\,dx = \\frac{1}{3}\n$$\n\nIt costs $5 and $10.";
/** Over the server's budget (each `$` counts as markup): drawn by the browser. */
const MANY = Array.from({ length: 300 }, (_, i) => `$x_{${i}}$`).join(" ");

const test = ownUser("math", async (data, identifier) => {
  const threadId = demoId(`${identifier}:math`);
  const owner = { owner: identifier };
  await data.createThread(threadId, identifier);
  await data.updateThread(threadId, { name: NAME, userId: identifier }, { touch: true, ...owner });
  const ids: string[] = [];
  for (const [i, answer] of [SHORT, MANY].entries()) {
    const at = (s: number) => new Date(Date.now() - 60_000 + i * 10_000 + s * 1_000).toISOString();
    const question = demoId(`${threadId}:${i}:q`);
    const answerId = demoId(`${threadId}:${i}:a`);
    await data.createStep({ id: question, threadId, type: "user_message", name: identifier, output: `Question ${i + 1}`, createdAt: at(0), start: at(0), end: at(0) }, owner);
    await data.createStep({ id: answerId, threadId, parentId: question, type: "assistant_message", name: "Assistant", output: answer, createdAt: at(1), start: at(1), end: at(2) }, owner);
    ids.push(answerId);
  }
  return { threadId, ids };
});

test("draws a reply's formulas with KaTeX, server- and browser-rendered, with no CSP violation; currency stays text", async ({ page, thread, own }) => {
  const [short, many] = own.seeded.ids.map((id) => thread.message(id));
  await page.goto(`/threads/${own.seeded.threadId}`);
  await expect(thread.formulas(short!)).toHaveCount(2);
  await expect(thread.formulas(short!).first()).toBeVisible();
  await expect(thread.displayFormulas(short!)).toHaveCount(1);
  await expect(short!).toContainText("It costs $5 and $10.");
  await expect(thread.formulas(many!)).toHaveCount(300);
  // KaTeX's fonts came from this origin and were used (a blocked font would also be a CSP violation).
  await expect.poll(() => page.evaluate(() => [...document.fonts].some((font) => font.family.includes("KaTeX_Main") && font.status === "loaded"))).toBe(true);
  const fontFamily = await thread.formulas(short!).first().evaluate((el) => getComputedStyle(el.closest(".katex")!).fontFamily);
  expect(fontFamily).toContain("KaTeX_Main");
});
