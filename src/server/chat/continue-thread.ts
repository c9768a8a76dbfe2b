/**
 * One turn of a conversation, persisted in Chainlit's shape so a Chainlit app could resume the thread: the
 * `user_message` step, the turn's `on_message` run under it (parentId = the message, as Chainlit's on_message
 * decorator nests it), and the `assistant_message` under the run, created when the reply starts and updated as it
 * ends. Times come from the process clock (microseconds, strictly increasing), so the turn's steps sort in write order. What streamed before a cancel or a dropped connection is kept.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { clipThreadName, utcNow, type DynamoDBDataLayer, type Element, type Step, type StorageClient, type ThreadOutline, type UpdateThreadResult } from "@/data";
import { AssistantError, type Assistant, type AssistantAttachment } from "../assistant/assistant";
import { assertClaimed, NEVER_LOST, RUN_UNDER_CLAIM, type HeldClaim, type ThreadClaim } from "./thread-claim";
import { ReplyGuard, replyReplaced } from "./reply-guard";
import { describeOnly, isHistoryMessage, messagesInOrder, newestMessageIds } from "./history";
import { isTextLike } from "@/lib/shared/format";

export type ChatEvent =
  | {
      type: "start";
      threadId: string;
      userStepId: string;
      runStepId: string;
      assistantStepId: string;
      assistant: { name: string; isDemo: boolean };
      threadName: string | null;
    }
  | { type: "token"; text: string }
  | { type: "done"; output: string; cancelled: boolean }
  | { type: "error"; message: string; errorStepId: string };

export interface ContinueInput {
  /**
   * The caller's thread as the gate read it (thread-access.ts), in outline: continuing reads whole only the newest
   * messages it sends (already read whole unless the thread is longer than one Query's page).
   */
  outline: ThreadOutline;
  messageId: string;
  content: string;
  /** The thread's claim, taken by the gate (thread-claim.ts); null when another request holds the thread. */
  claim: ThreadClaim;
}

// Partial replies are saved this often while streaming, so a crash loses at most this much.
const CHECKPOINT_MS = 1500;
/**
 * The longest reply a turn keeps (about 125,000 tokens: more than any model's output limit). Nothing else bounds it:
 * the request sets no `max_tokens`, a local model caught in a loop (or an endpoint that never ends its stream) goes on
 * for as long as it sends, and each checkpoint writes the whole reply again. Past it the reply is cut there, the
 * model's stream closed, and the turn ends with a message saying so (docs/security.md, "What a turn sends to the model").
 */
export const REPLY_MAX_CHARS = 500_000;
/** A name made from the first message is a title, not the message: far shorter than a stored name may be (200). */
const NAME_FROM_MESSAGE_MAX = 60;
const INLINE_TEXT_MAX = 200_000;
const INLINE_IMAGE_MAX = 5 * 1024 * 1024;
/**
 * The most messages of a thread read for the model: far more than its character budget usually holds (200,000
 * characters is 400 messages of 500), and 4 BatchGetItems side by side at most when a long thread's were skimmed.
 */
const HISTORY_MESSAGES_MAX = 400;
/**
 * The most a turn reads of its thread's history from the table, in bytes, whatever the assistant's character budget
 * (4 bytes a character at most beyond it: UTF-8 and the rest of each item). History is read newest first and stops
 * where the budget ends (ThreadOutline.newestSteps); before, the newest 400 messages were read whole and only then cut
 * to the budget, which for an imported thread of long messages held tens of MB per turn.
 */
const HISTORY_READ_MIN_BYTES = 16 * 1024 * 1024;
const historyReadBytes = (maxChars: number) => (Number.isFinite(maxChars) ? Math.max(HISTORY_READ_MIN_BYTES, 4 * maxChars) : HISTORY_READ_MIN_BYTES);
/**
 * What one turn reads of its message's own attachments: at most this many files, and this many bytes together (two
 * images at their cap); the rest go to the model by name. Nothing bounds how many files a message has (each upload is
 * its own request, within the day's budget), and they were all read whole at once: one message with 300 images of
 * 5 MB held 1.5 GB of bytes and 2 GB of base64 in memory, enough to take the server down.
 */
const TURN_ATTACHMENTS_READ_MAX = 8;
const TURN_INLINE_BYTES_MAX = 2 * INLINE_IMAGE_MAX;

const now = utcNow;

/** Names a thread from its first message, or from its first attachment when the message is empty (Chainlit #2623). */
export function threadNameFrom(content: string, attachments: Pick<Element, "name">[]): string {
  const text = content.replace(/\s+/g, " ").trim();
  const name = text || attachments[0]?.name;
  return name ? clipThreadName(name, NAME_FROM_MESSAGE_MAX) : "New chat";
}

/**
 * Only a stored object is read, through the storage client and capped: never the item's `url`, which anyone who can
 * write an element item controls and which could point at a cloud metadata service or an intranet host.
 */
async function readAttachment(element: Element, storage: StorageClient | undefined, limit: number): Promise<AssistantAttachment> {
  const base = { name: element.name ?? "file", mime: element.mime ?? "application/octet-stream" };
  if (!element.objectKey || !storage || limit === 0) return base;
  const bytes = Buffer.from(await storage.read(element.objectKey, { maxBytes: limit }));
  return base.mime.startsWith("image/")
    ? { ...base, imageDataUrl: `data:${base.mime};base64,${bytes.toString("base64")}` }
    : { ...base, text: bytes.toString("utf8") };
}

/** The most bytes each attachment may be read with (0: named only), within the turn's count and byte budget. */
function readLimits(elements: readonly Element[]): number[] {
  let files = 0;
  let bytesLeft = TURN_INLINE_BYTES_MAX;
  return elements.map((element) => {
    const mime = element.mime ?? "application/octet-stream";
    const cap = mime.startsWith("image/") ? INLINE_IMAGE_MAX : isTextLike(element.name ?? "file", mime) ? INLINE_TEXT_MAX : 0;
    // Read with the size the item records (storage refuses a larger object before its body is read), or at the cap
    // when it records none: the budget holds whatever storage holds.
    const limit = (element.bytes ?? cap) > cap ? 0 : (element.bytes ?? cap);
    if (!element.objectKey || limit === 0 || files >= TURN_ATTACHMENTS_READ_MAX || limit > bytesLeft) return 0;
    files++;
    bytesLeft -= limit;
    return limit;
  });
}

/**
 * The thread's earlier messages the assistant can use: the newest HISTORY_MESSAGES_MAX, read newest first only as far
 * as its character budget reaches. Each counts its text, as fitHistory counts it before its attachments' names, and
 * the message just sent its own text: never more than fitHistory will count, so every message it keeps is read.
 * Failed replies never reach the model (messagesInOrder) and count nothing.
 */
function readHistory(outline: ThreadOutline, leaveOut: ReadonlySet<string>, content: string, budget: number | undefined) {
  const maxChars = (budget ?? Infinity) - content.length;
  const charsOf = (step: Step) => (isHistoryMessage(step) ? (step.output ?? "").length : 0);
  return outline.newestSteps(newestMessageIds(outline.steps, HISTORY_MESSAGES_MAX, leaveOut), { maxChars, maxBytes: historyReadBytes(maxChars), charsOf });
}

export async function* continueThread(
  deps: ReplyDeps,
  input: ContinueInput,
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const { data } = deps;
  const { outline, messageId } = input;
  const { thread } = outline;
  const threadId = thread.id;
  // The owner, as the gate verified it: every step of the turn is put in the full-text index as it is written.
  const indexed = { owner: thread.userId ?? undefined };
  const ownAttachments = outline.elements.filter((e) => e.forId === messageId);
  if (!input.content.trim() && ownAttachments.length === 0) throw new TRPCError({ code: "BAD_REQUEST", message: "Write a message or attach a file." });
  // Another request is writing the thread (a send in another tab, an edit, a regenerate): nothing is written.
  assertClaimed(input.claim);
  const sentAt = now();
  const userStep = { id: messageId, threadId, type: "user_message", name: deps.userIdentifier, output: input.content, createdAt: sentAt, start: sentAt, end: sentAt };
  const threadName = thread.name ?? threadNameFrom(input.content, ownAttachments);
  const runStepId = randomUUID();
  const run = runStepOf(userStep, runStepId, now());
  // The turn's first writes go out side by side and beside the model request: the gate's read is the only round
  // trip before the model is asked. Their times were taken above, so the order they land in does not matter. The
  // first message names the thread, only while it is still unnamed as the gate read it: a rename landing meanwhile
  // (another tab, Chainlit) wins, and the start event carries that name. Every turn moves it to the top of the list.
  const touched = data.updateThread(threadId, thread.name ? {} : { name: threadName }, { touch: true, nameWas: thread.name ?? null, ...indexed });
  const stored = Promise.all([data.createStep(userStep, indexed), touched, data.createStep(run)]);
  const named = keptName(touched, threadName);
  yield* answerQuestion(deps, { outline, question: userStep, leaveOut: new Set([messageId]), runStepId, threadName: named, stored }, signal);
}

/** The thread's name once `write` has landed: `written`, unless another writer renamed the thread first (nameWas). */
export function keptName(write: Promise<UpdateThreadResult>, written: string | null): Promise<string | null> {
  const kept = write.then((result) => (result.nameLost ? result.nameLost.current : written));
  kept.catch(() => undefined); // the write's failure is `stored`'s to report
  return kept;
}

/**
 * The turn's `on_message` run, nested under its question as Chainlit's on_message decorator nests it. Marked as
 * written under the thread's claim (RUN_UNDER_CLAIM): left open, it is known to be dead once nobody holds the claim.
 */
export function runStepOf(question: Pick<Step, "id" | "threadId" | "output" | "input">, runStepId: string, at: string) {
  return { id: runStepId, threadId: question.threadId, type: "run", name: "on_message", parentId: question.id, input: question.output ?? question.input ?? "", createdAt: at, start: at, metadata: { [RUN_UNDER_CLAIM]: true } };
}

export interface ReplyDeps {
  data: DynamoDBDataLayer;
  assistant: Assistant;
  userIdentifier: string;
  /** The thread's claim as held while the turn runs (thread-claim.ts, holdingClaim); never lost when not given. */
  held?: HeldClaim;
}

export interface QuestionToAnswer {
  outline: ThreadOutline;
  /** The user_message answered: the one just sent, or the one whose reply is regenerated (regenerate-reply.ts). */
  question: Step;
  /** Steps of the outline that are not history: the question itself, and the reply it replaces. */
  leaveOut: ReadonlySet<string>;
  /** The run the reply is written under (its step is among `stored`'s writes). */
  runStepId: string;
  /** The thread's name for the start event: a promise when the turn writes it (it resolves with `stored`). */
  threadName: string | null | Promise<string | null>;
  /** The turn's writes before the reply, started beside the model request; a failure calls the model off. */
  stored: Promise<unknown>;
}

/**
 * Asks the model for a reply to `question`, with the thread's history before it, and streams and stores that reply
 * under the run: what sending a message and regenerating a reply share, so both read, ask and keep alike. A reply
 * replaced under it (its claim lost, its answer or run deleted by a Retry, a Regenerate or an edit) stops: the model's
 * request is called off, nothing more is written, and the stream ends with a CONFLICT that says so (reply-guard.ts).
 */
export async function* answerQuestion(deps: ReplyDeps, input: QuestionToAnswer, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  const { data, assistant } = deps;
  const { outline, question, runStepId, stored } = input;
  const threadId = outline.thread.id;
  const messageId = question.id;
  const content = question.output ?? question.input ?? "";
  const indexed = { owner: outline.thread.userId ?? undefined };
  const ownAttachments = outline.elements.filter((e) => e.forId === messageId);
  const assistantStepId = randomUUID();
  const guard = new ReplyGuard(deps.held ?? NEVER_LOST);
  stored.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled

  const [readable, earlier] = await Promise.all([
    Promise.all(readLimits(ownAttachments).map((limit, i) => readAttachment(ownAttachments[i]!, data.storageProvider, limit).catch(() => describeOnly([ownAttachments[i]!])[0]!))),
    readHistory(outline, input.leaveOut, content, assistant.historyMaxChars),
  ]);
  const messages = messagesInOrder([...earlier, question], outline.elements, (elements) => (elements.some((e) => e.forId === messageId) ? readable : describeOnly(elements)));

  // The model's request starts now (an async generator runs on its first next()); nothing reaches the client before
  // the message is stored, and a failed write calls the model off.
  const storeFailed = new AbortController();
  const tokens = assistant.stream(messages, { signal: AbortSignal.any([signal, storeFailed.signal, guard.signal]) })[Symbol.asyncIterator]();
  const firstToken = tokens.next();
  firstToken.catch(() => undefined); // consumed in the loop below, once the writes are in
  try {
    await stored;
  } catch (error) {
    storeFailed.abort();
    throw error;
  }
  const threadName = await input.threadName;
  if (!guard.mayWrite()) throw replyReplaced();
  yield { type: "start", threadId, userStepId: messageId, runStepId, assistantStepId, assistant: { name: assistant.name, isDemo: assistant.isDemo }, threadName };

  let output = "";
  let created = false;
  let lastCheckpoint = Date.now();
  // Saves of the reply run one after another, each after the one before it, so `created` is always decided right.
  let saves: Promise<void> = Promise.resolve();
  const saveAssistant = (fields: { streaming: boolean; end?: string; metadata?: Record<string, unknown> }) => {
    const step = { id: assistantStepId, threadId, output, ...fields };
    const save = saves.then(async () => {
      if (!guard.mayWrite()) return;
      // Once created, the answer is only updated while it exists: one deleted meanwhile is not made again.
      if (created) await guard.update(data, step, indexed);
      else {
        const at = now();
        await data.createStep({ ...step, parentId: runStepId, type: "assistant_message", name: assistant.name, createdAt: at, start: at }, indexed);
        created = true;
      }
    });
    saves = save.catch(() => undefined);
    return save;
  };
  // The reply's first write goes out with its first token and is not waited for: the token reaches the reader one
  // round trip sooner. Checkpoints are not waited for either: the reader's stream never stops for the table (a slow
  // or throttled write held every token behind it), and a checkpoint starts only once the one before it has landed.
  // Saves run in order (`saves`), so the end's save comes after them all and decides: a reply is kept, or the stream
  // fails, by that one write, whatever became of a checkpoint before it.
  let firstSave: Promise<void> | null = null;
  let checkpoint: Promise<void> | null = null;

  const finish = async (cancelled: boolean) => {
    const end = now();
    await firstSave?.catch(() => undefined);
    // A reply stopped before its first token is still recorded, so the turn reads "stopped" after a reload.
    if (created || output || cancelled) await saveAssistant({ streaming: false, end, ...(cancelled ? { metadata: { cancelled: true } } : {}) });
    // The run's own output stays empty, as Chainlit leaves it: the answer is the assistant_message under it.
    await guard.update(data, { id: runStepId, threadId, end });
  };

  let settled = false;
  try {
    try {
      for (let next = await firstToken; !next.done; next = await tokens.next()) {
        if (!guard.mayWrite()) throw replyReplaced();
        const cut = output.length + next.value.length > REPLY_MAX_CHARS;
        const token = cut ? next.value.slice(0, REPLY_MAX_CHARS - output.length) : next.value;
        output += token;
        if (!firstSave) {
          firstSave = saveAssistant({ streaming: true });
          firstSave.catch(() => undefined); // the end's save, in order after it, decides
        } else if (!checkpoint && Date.now() - lastCheckpoint > CHECKPOINT_MS) {
          lastCheckpoint = Date.now();
          checkpoint = saveAssistant({ streaming: true })
            .catch(() => undefined)
            .finally(() => (checkpoint = null));
        }
        if (token) yield { type: "token", text: token };
        if (cut) throw new AssistantError(`The reply reached the limit of ${REPLY_MAX_CHARS.toLocaleString("en")} characters and was cut there.`);
      }
    } catch (error) {
      // Replaced: the model's request was called off with it (or the loop stopped), and nothing more is written.
      if (guard.replaced) {
        settled = true;
        throw replyReplaced();
      }
      if (!signal.aborted) {
        settled = true;
        const message = error instanceof Error && error.name === "AssistantError" ? error.message : "The assistant failed to answer.";
        const end = now();
        await firstSave?.catch(() => undefined);
        if (created) await saveAssistant({ streaming: false, end });
        // The run's end first, only while the run exists: a turn replaced meanwhile gets no error step under a run
        // that is gone. Between the two writes the turn reads as failed with no error step, which offers Retry too.
        if (!(await guard.update(data, { id: runStepId, threadId, end, isError: true }))) throw replyReplaced();
        const errorStepId = randomUUID();
        await data.createStep({ id: errorStepId, threadId, parentId: runStepId, type: "assistant_message", name: "Error", isError: true, output: message, createdAt: end, start: end, end }, indexed);
        yield { type: "error", message, errorStepId };
        return;
      }
    }
    settled = true;
    await finish(signal.aborted);
    if (guard.replaced) throw replyReplaced();
    yield { type: "done", output, cancelled: signal.aborted };
  } finally {
    // Whatever ended the loop, the model's stream is closed, as for-await would close it.
    void tokens.return?.(undefined)?.catch(() => undefined);
    // The client went away mid-stream (tRPC returned the generator early): keep what was streamed.
    if (!settled) await finish(true);
  }
}
