import { expect, type Download, type Locator } from "@playwright/test";
import { Conversation } from "./conversation";

/** What the page showed of the reply in flight at one moment (recordReplyStates). */
export interface ReplyState {
  /** The reply's text, trimmed. */
  text: string;
  streaming: boolean;
  busy: boolean;
  stop: boolean;
  composerEmpty: boolean;
}

/**
 * Runs in the page: records every text the reply in flight shows, as the page draws it (a MutationObserver), with
 * what surrounds it at that moment. Checking from the test instead samples the page a round trip at a time, and a
 * reply that streams for well under a second can grow and finish between two samples.
 */
function recordReplyStates() {
  const w = window as unknown as { tbReplyStates?: ReplyState[] };
  const states: ReplyState[] = (w.tbReplyStates = []);
  const record = () => {
    const reply = document.querySelector('[data-testid="pending-turn"] [data-testid="assistant-message"]');
    // Trimmed: plain text keeps a token's trailing space, Markdown does not.
    const text = reply?.querySelector('[data-testid="message-text"]')?.textContent?.trim() ?? "";
    if (!reply || !text || text === states.at(-1)?.text) return;
    const composer = document.querySelector<HTMLTextAreaElement>("textarea.composer-input");
    const stop = document.querySelector('button[aria-label="Stop"]') !== null;
    states.push({ text, streaming: reply.getAttribute("data-streaming") === "true", busy: reply.getAttribute("aria-busy") === "true", stop, composerEmpty: composer?.value === "" });
  };
  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}

export interface FileToAttach {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** One thread: the conversation, its steps, files, feedback and export; and the composer that continues it. */
export class ThreadPage extends Conversation {
  readonly assistantMessages = this.page.getByTestId("assistant-message");
  readonly steps = this.page.getByTestId("step");
  readonly sendButton = this.page.getByRole("button", { name: "Send", exact: true });
  readonly stopButton = this.page.getByRole("button", { name: "Stop", exact: true });
  readonly attachButton = this.page.getByRole("button", { name: "Attach files", exact: true });
  readonly draftFiles = this.page.getByTestId("draft-file");
  /** The turn being sent, drawn from the stream until the stored turn replaces it. */
  readonly pendingTurn = this.page.getByTestId("pending-turn");
  /** The page shown for a missing (or someone else's) thread, and its way back. */
  /** "Pin" or "Unpin" in the thread's header. */
  readonly pinButton = this.page.getByTestId("pin-button");
  readonly notFoundHeading = this.page.getByRole("heading", { level: 1, name: "Thread not found" });
  /** That heading in the page's language. */
  notFoundHeadingNamed(name: string): Locator {
    return this.page.getByRole("heading", { level: 1, name });
  }
  readonly backToThreads = this.page.getByRole("link", { name: "Back to threads" });
  /** Under the composer after a send refused because another tab is writing the thread: this tab follows it. */
  readonly waitingForOtherTab = this.page.getByText("Waiting for the reply in the other tab…");
  /** A refused file's message under the composer. */
  readonly draftError = this.page.getByTestId("draft-error");
  /** The open dialog (feedback comment, image preview). */
  readonly dialog = this.page.getByRole("dialog");
  /** The new chat's greeting. */
  readonly newChatHeading = this.page.getByRole("heading", { level: 1, name: "What's on your mind?" });
  /** The header's line under the title: when updated, how many messages. */
  readonly meta = this.page.locator(".thread-meta");
  /** The message a `#step-…` link or a search hit opened, highlighted. */
  readonly highlighted = this.page.locator('[data-highlighted="true"]');
  /** Shown when the newest turn is out of view; takes the reader back down. */
  readonly jumpToLatest = this.page.getByTestId("jump-to-latest");
  /** The pane the conversation scrolls in. */
  readonly scrollPane = this.page.locator(".main-pane");
  /** The assistant's turns: a run's steps and its answer drawn together. */
  readonly assistantTurns = this.page.locator(".turn-assistant");
  /** Image attachments' thumbnails (a click opens the image in a dialog). */
  readonly imageThumbnails = this.page.getByTestId("element-image");
  readonly csvPreviews = this.page.getByTestId("csv-preview");
  /** PDF attachments shown in place. */
  readonly pdfPreviews = this.page.locator("iframe.pdf-frame");
  /** Scripts without this response's nonce or images from stored markup: there must never be any. */
  readonly injectedMarkup = this.page.locator("main script:not([nonce]), .conversation script, .conversation img[src='x']");

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

  /** Formulas KaTeX drew in a part of the page (their visible half; the MathML half is for screen readers). */
  formulas(within: Locator): Locator {
    return within.locator(".katex .katex-html");
  }

  /** Formulas drawn as display math (a block of their own). */
  displayFormulas(within: Locator): Locator {
    return within.locator(".katex-display");
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

  /** From now on, every text the reply in flight shows is recorded in the page (replyStates reads them). */
  async recordReplyStates() {
    await this.page.evaluate(recordReplyStates);
  }

  async replyStates(): Promise<ReplyState[]> {
    return this.page.evaluate(() => (window as unknown as { tbReplyStates?: ReplyState[] }).tbReplyStates ?? []);
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

  /** The text of the newest question, as written. */
  lastQuestionText(): Locator {
    return this.userMessages.last().locator(".bubble");
  }

  /** The answers showing this text (a start of it: a rendered answer's text runs its paragraphs together). */
  answersShowing(text: string): Locator {
    return this.assistantMessages.filter({ hasText: text });
  }

  /** Regenerate, offered on the thread's newest answer only. */
  regenerate(turn: number): Locator {
    return this.assistantMessages.nth(turn).getByRole("button", { name: "Regenerate reply", exact: true });
  }

  /** Edit, offered on the user's own messages. */
  editMessage(question: number): Locator {
    return this.userMessages.nth(question).getByRole("button", { name: "Edit message", exact: true });
  }

  /** The editor a message turns into (one at a time here). */
  readonly editBox = this.page.getByRole("textbox", { name: "Edit your message", exact: true });
  readonly editConfirm = this.page.getByTestId("edit-confirm");

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
    // The page shows the rating at once; this returns once the server has answered, so a reload after it reads what
    // was stored (a reload sooner keeps the rating too, its request outlives the page, but may read before it lands).
    const answered = this.page.waitForResponse((response) => response.url().includes("/api/trpc/") && response.url().includes("feedback.upsert"));
    await dialog.getByRole("button", { name: "Submit" }).click();
    await expect(dialog).toBeHidden();
    await answered;
  }

  async exportAs(format: "Markdown" | "JSON"): Promise<Download> {
    return this.saveDownload(async () => {
      await this.page.getByRole("button", { name: "Export" }).click();
      await this.page.getByRole("menuitem", { name: `Export ${format}` }).click();
    });
  }
}
