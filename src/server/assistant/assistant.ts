/** What continues a thread: given its history as role/content messages, stream the reply. */
export interface AssistantAttachment {
  name: string;
  mime: string;
  /** Images go to the model as image parts (a data URL); text files inline; other files by name only. */
  imageDataUrl?: string;
  text?: string;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  attachments?: AssistantAttachment[];
}

export interface Assistant {
  /** Shown in the UI and stored as the assistant step's name. */
  readonly name: string;
  /** The built-in assistant is labelled as a demo wherever it answers. */
  readonly isDemo: boolean;
  /**
   * The most characters of a thread it sends with a turn (history-budget.ts), when it keeps such a budget: a turn
   * then reads no more of the thread than that budget can use (continue-thread.ts).
   */
  readonly historyMaxChars?: number;
  stream(messages: ChatMessage[], options: { signal: AbortSignal }): AsyncIterable<string>;
}

export class AssistantError extends Error {
  override readonly name = "AssistantError";
}
