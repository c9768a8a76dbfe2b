/**
 * The embedded default's assistant: no network, deterministic, and clearly a demo. It answers from the thread itself
 * (how many messages, the last question, the attachments' names), streamed word by word so the UI streams for real.
 */
import type { Assistant, ChatMessage } from "./assistant";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export function composeDemoReply(messages: ChatMessage[]): string {
  const users = messages.filter((m) => m.role === "user");
  const last = users.at(-1);
  const attachments = messages.flatMap((m) => m.attachments ?? []);
  const lines = [
    "*Demo assistant — offline and deterministic. Set `OPENAI_BASE_URL` to talk to a real model.*",
    "",
    `You asked: “${(last?.content ?? "").trim().slice(0, 500) || "(an empty message)"}”`,
    "",
    `This thread has **${messages.length}** message${messages.length === 1 ? "" : "s"}: ${users.length} from you and ${messages.length - users.length} from the assistant.`,
  ];
  if (attachments.length > 0) {
    lines.push("", "Attachments in this thread:", ...attachments.map((a) => `- \`${a.name}\` (${a.mime})`));
  }
  const lastAttachments = last?.attachments ?? [];
  const text = lastAttachments.find((a) => a.text !== undefined);
  if (text?.text !== undefined) {
    const lineCount = text.text.split("\n").filter(Boolean).length;
    lines.push("", `\`${text.name}\` has ${lineCount} non-empty line${lineCount === 1 ? "" : "s"}; it starts with:`, "", "```", text.text.split("\n").slice(0, 3).join("\n"), "```");
  }
  return lines.join("\n");
}

export function createDemoAssistant(options: { delayMs?: number } = {}): Assistant {
  const delayMs = options.delayMs ?? 25;
  return {
    name: "Demo assistant",
    isDemo: true,
    async *stream(messages, { signal }) {
      const reply = composeDemoReply(messages);
      // Words with their trailing spaces, so the joined stream is exactly the reply.
      for (const token of reply.match(/\S+\s*|\s+/g) ?? []) {
        if (signal.aborted) return;
        await sleep(delayMs, signal);
        if (signal.aborted) return;
        yield token;
      }
    },
  };
}
