import { expect, type Download, type Locator, type Page } from "@playwright/test";

export interface FileToAttach {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** One thread: the conversation, its steps, files, feedback and export; and the composer that continues it. */
export class ThreadPage {
  readonly heading: Locator;
  readonly assistantMessages: Locator;
  readonly userMessages: Locator;
  readonly steps: Locator;
  readonly composer: Locator;
  readonly sendButton: Locator;
  readonly stopButton: Locator;
  readonly attachButton: Locator;
  readonly draftFiles: Locator;
  /** The turn being sent, drawn from the stream until the stored turn replaces it. */
  readonly pendingTurn: Locator;
  /** The page shown for a missing (or someone else's) thread, and its way back. */
  readonly notFoundHeading: Locator;
  readonly backToThreads: Locator;
  /** A refused file's message under the composer. */
  readonly draftError: Locator;
  /** The open dialog (feedback comment, image preview). */
  readonly dialog: Locator;
  /** The new chat's greeting. */
  readonly newChatHeading: Locator;
  /** The header's line under the title: when updated, how many messages. */
  readonly meta: Locator;
  /** The message a `#step-…` link or a search hit opened, highlighted. */
  readonly highlighted: Locator;
  /** Shown when the newest turn is out of view; takes the reader back down. */
  readonly jumpToLatest: Locator;
  /** The pane the conversation scrolls in. */
  readonly scrollPane: Locator;
  /** The assistant's turns: a run's steps and its answer drawn together. */
  readonly assistantTurns: Locator;
  /** Image attachments' thumbnails (a click opens the image in a dialog). */
  readonly imageThumbnails: Locator;
  readonly csvPreviews: Locator;
  /** Scripts without this response's nonce or images from stored markup: there must never be any. */
  readonly injectedMarkup: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { level: 1 });
    this.assistantMessages = page.getByTestId("assistant-message");
    this.userMessages = page.getByTestId("user-message");
    this.steps = page.getByTestId("step");
    this.composer = page.getByRole("textbox", { name: "Message", exact: true });
    this.sendButton = page.getByRole("button", { name: "Send", exact: true });
    this.stopButton = page.getByRole("button", { name: "Stop", exact: true });
    this.attachButton = page.getByRole("button", { name: "Attach files", exact: true });
    this.draftFiles = page.getByTestId("draft-file");
    this.pendingTurn = page.getByTestId("pending-turn");
    this.notFoundHeading = page.getByRole("heading", { level: 1, name: "Thread not found" });
    this.backToThreads = page.getByRole("link", { name: "Back to threads" });
    this.draftError = page.getByTestId("draft-error");
    this.dialog = page.getByRole("dialog");
    this.newChatHeading = page.getByRole("heading", { level: 1, name: "What's on your mind?" });
    this.meta = page.locator(".thread-meta");
    this.highlighted = page.locator('[data-highlighted="true"]');
    this.jumpToLatest = page.getByTestId("jump-to-latest");
    this.scrollPane = page.locator(".main-pane");
    this.assistantTurns = page.locator(".turn-assistant");
    this.imageThumbnails = page.getByTestId("element-image");
    this.csvPreviews = page.getByTestId("csv-preview");
    this.injectedMarkup = page.locator("main script:not([nonce]), .conversation script, .conversation img[src='x']");
  }

  /** A message (or step) by its id, as a `#step-…` link names it. */
  message(stepId: string): Locator {
    return this.page.locator(`#step-${stepId}`);
  }

  /** Whether that message is inside the visible part of the scrolling pane. */
  async isInView(stepId: string): Promise<boolean> {
    return this.page.evaluate((sel) => {
      const element = document.querySelector(sel);
      if (!element) return false;
      const box = element.getBoundingClientRect();
      return box.bottom > 0 && box.top < window.innerHeight;
    }, `#step-${stepId}`);
  }

  /** Text anywhere on the page (to check something is shown, or is not). */
  text(text: string | RegExp, options?: { exact?: boolean }): Locator {
    return this.page.getByText(text, options);
  }

  /** The thumbs, of any answer, that are pressed. */
  pressedThumbs(name: "Helpful" | "Not helpful"): Locator {
    return this.page.getByRole("button", { name, exact: true, pressed: true });
  }

  /** The dialog showing an image attachment at full size. */
  imageDialog(name: string): Locator {
    return this.page.getByRole("dialog", { name });
  }

  /** Tables in the conversation (Markdown tables, CSV previews). */
  tables(): Locator {
    return this.page.getByRole("table");
  }

  /** The <img> elements inside a part of the page (a thumbnail, a reply's text). */
  imageElements(within: Locator): Locator {
    return within.locator("img");
  }

  /** Keywords of highlighted code blocks in an answer. */
  codeKeywords(answer: Locator): Locator {
    return answer.locator("code .hljs-keyword");
  }

  /** A user message's bubble (the box drawn right of the answers). */
  bubble(message: Locator): Locator {
    return message.locator(".bubble");
  }

  /** A message's timestamp (its title is the full date). */
  time(message: Locator): Locator {
    return message.locator("time");
  }

  /** A step's summary line: its name and duration; a click opens or closes it. */
  stepSummary(name: string): Locator {
    return this.step(name).locator("summary");
  }

  /** Presses Escape on the page itself (not in a field): clears a highlight, closes a dialog. */
  async pressEscape() {
    await this.page.locator("body").press("Escape");
  }

  /** A toast or inline alert saying `text`. */
  alert(text: string | RegExp): Locator {
    return this.page.getByRole("alert").filter({ hasText: text });
  }

  /** The comment box of the feedback dialog. */
  commentBox(): Locator {
    return this.dialog.getByLabel("Comment (optional)");
  }

  /** The newest answer and its text (Markdown rendered). */
  lastReply(): Locator {
    return this.assistantMessages.last();
  }

  lastReplyText(): Locator {
    return this.lastReply().getByTestId("message-text");
  }

  /** Types a message and presses Enter. */
  async send(text: string) {
    await this.composer.fill(text);
    await this.composer.press("Enter");
  }

  /** Waits until the turn in flight has been handed over to the stored thread (its run, ids and feedback). */
  async waitForStoredTurn() {
    await expect(this.pendingTurn).toHaveCount(0);
  }

  /** Picks files through the Attach files button's file chooser. */
  async attach(files: FileToAttach[]) {
    const [chooser] = await Promise.all([this.page.waitForEvent("filechooser"), this.attachButton.click()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles(files);
  }

  draftFile(name: string): Locator {
    return this.draftFiles.filter({ hasText: name });
  }

  step(name: string): Locator {
    return this.steps.filter({ has: this.page.locator("summary", { hasText: name }) });
  }

  up(turn: number): Locator {
    return this.assistantMessages.nth(turn).getByRole("button", { name: "Helpful", exact: true });
  }

  down(turn: number): Locator {
    return this.assistantMessages.nth(turn).getByRole("button", { name: "Not helpful", exact: true });
  }

  comment(turn: number): Locator {
    return this.assistantMessages.nth(turn).getByTestId("feedback-comment");
  }

  /** Clicks a thumb, writes the optional comment, submits. */
  async rate(turn: number, value: "up" | "down", comment?: string) {
    await (value === "up" ? this.up(turn) : this.down(turn)).click();
    const dialog = this.dialog;
    await expect(dialog).toBeVisible();
    const box = this.commentBox();
    await expect(box).toBeFocused();
    if (comment !== undefined) await box.fill(comment);
    await dialog.getByRole("button", { name: "Submit" }).click();
    await expect(dialog).toBeHidden();
  }

  download(name: string): Locator {
    return this.page.getByTestId("element-download").filter({ hasText: name });
  }

  async saveDownload(trigger: () => Promise<void>): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), trigger()]);
    return download;
  }

  async exportAs(format: "Markdown" | "JSON"): Promise<Download> {
    return this.saveDownload(async () => {
      await this.page.getByRole("button", { name: "Export" }).click();
      await this.page.getByRole("menuitem", { name: `Export ${format}` }).click();
    });
  }
}
