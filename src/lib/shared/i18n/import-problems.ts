/**
 * Import problems (../import-problem.ts) worded per language. The English is also what the job item stores as text,
 * so scripts and the CLI read the same sentences as the English dialog. Technical details (a zip library's own
 * message, a file's name) are quoted as they are.
 */
import type { AttachmentProblem, EntryRefusal, ImportProblem } from "../import-problem";

const EXPECTED_EN = "Expected a ChatGPT or Claude data export (the .zip, or its conversations.json), an Open WebUI or LibreChat chat export (.json), or a Threadbook export (the “Export all” .zip, or a thread's .json).";
type FormatName = Extract<ImportProblem, { code: "not-format" }>["format"];
const NOT_FORMAT_EN: Record<FormatName, string> = {
  chatgpt: "not a ChatGPT conversation (no mapping)",
  claude: "not a Claude conversation (no chat_messages)",
  "open-webui": "not an Open WebUI chat (no chat.history or chat.messages)",
  librechat: "not a LibreChat conversation (no messages)",
  threadbook: "not a Threadbook thread export",
};
const KEPT_EN = "Conversations imported so far are kept; import the file again to finish.";

const refusalEn = (r: EntryRefusal) => (r.kind === "size" ? `${r.size} is over the ${r.limitMb} MB limit` : `it expands ${r.ratio ?? "endlessly"} times (a zip bomb)`);

function attachmentEn(p: AttachmentProblem): string {
  switch (p.kind) {
    case "missing": return "not included in the export";
    case "refused": return refusalEn(p.refusal);
    case "name": return "The file needs a name of at most 255 characters.";
    case "type": return `“${p.name}” is not a supported file type. Allowed: ${p.allowed}.`;
    case "over": return `“${p.name}” is larger than the ${p.limitMb} MB limit.`;
    case "too-large": return "too large";
    case "not-stored": return "could not be stored";
    case "entry": return importProblemEn(p.problem);
  }
}

export function importProblemEn(p: ImportProblem): string {
  switch (p.code) {
    case "not-zip": return `This is not a readable zip file (${p.detail}).`;
    case "zip-entries": return `The zip holds ${p.entries} entries; at most ${p.limit} are read.`;
    case "zip-expands": return `The zip expands to more than ${p.limitMb} MB; an import reads at most that.`;
    case "zip-damaged": return `This zip file is damaged or not supported (${p.detail}).`;
    case "entry-refused": return `“${p.name}” was not read: ${refusalEn(p.refusal)}.`;
    case "entry-unreadable": return `“${p.name}” could not be read (${p.detail}).`;
    case "entry-over": return `“${p.name}” holds more than the ${p.limitMb} MB allowed.`;
    case "entry-damaged": return `“${p.name}” is damaged (${p.detail}).`;
    case "no-index": return `This zip has no conversations.json or index.json. ${EXPECTED_EN}`;
    case "conversations-refused": return `conversations.json was not read: ${refusalEn(p.refusal)}.`;
    case "no-conversation": return `No conversation found in the file. ${EXPECTED_EN}`;
    case "unknown-json": return `This JSON is not an export Threadbook knows. ${EXPECTED_EN}`;
    case "unknown-conversations": return `The conversations in this file are not ChatGPT's (mapping), Claude's (chat_messages), Open WebUI's (chat.history) or LibreChat's (conversationId and messages). ${EXPECTED_EN}`;
    case "not-index": return `index.json is not a Threadbook export index. ${EXPECTED_EN}`;
    case "json-total": return `The JSON is larger than the ${p.limitMb} MB an import reads.`;
    case "json-document": return `The JSON document is larger than the ${p.limitMb} MB allowed.`;
    case "not-json": return "This is not a JSON export: it should start with [ or {.";
    case "json-trailing": return "The JSON has unexpected data after its end.";
    case "json-deep": return `The JSON is nested deeper than ${p.limit} levels; no export is.`;
    case "json-cut-off": return "The JSON ends early: the file is cut off or damaged.";
    case "storage-unavailable": return `File storage is unavailable, so the import stopped. ${KEPT_EN}`;
    case "store-unavailable": return `The history store is unavailable, so the import stopped. ${KEPT_EN}`;
    case "unexpected": return `The import stopped on an unexpected error. ${KEPT_EN}`;
    case "interrupted": return `The import was interrupted (the server restarted). ${KEPT_EN}`;
    case "given-up": return `The import was interrupted ${p.times} times, so it was stopped. Conversations imported so far are kept.`;
    case "never-resumed": return `The import was interrupted and never resumed. ${KEPT_EN}`;
    case "upload-budget": return `The import adds more than the ${p.limitMb} MB of files and messages one account may add in a day, so it stopped. Conversations imported so far are kept; import the file again in ${p.hours} hour${p.hours === 1 ? "" : "s"} to finish.`;
    case "empty": return "empty conversation";
    case "item-over": return `larger than the ${p.limitMb} MB allowed for one conversation`;
    case "not-object": return "not a conversation (expected an object)";
    case "invalid-json": return "not valid JSON";
    case "unreadable": return "not readable";
    case "json-missing": return "its JSON file is missing from the zip";
    case "skipped-entry": return refusalEn(p.refusal);
    case "id-taken": return "its id is taken by another thread";
    case "message-too-large": return "a message is too large to store";
    case "does-not-fit": return "it does not fit the data model";
    case "too-many": return `more than ${p.limit} ${p.unit}`;
    case "not-format": return NOT_FORMAT_EN[p.format];
    case "no-id": return `the ${p.unit} has no ${p.field}`;
    case "attachment": return `attachment “${p.name}”: ${attachmentEn(p.problem)}`;
  }
}

const EXPECTED_ZH = "应为 ChatGPT 或 Claude 的数据导出（.zip 文件或其中的 conversations.json）、Open WebUI 或 LibreChat 的对话导出（.json 文件），或 Threadbook 的导出（“全部导出”的 .zip 文件，或单个对话的 .json 文件）。";
const NOT_FORMAT_ZH: Record<FormatName, string> = {
  chatgpt: "不是 ChatGPT 对话（没有 mapping）",
  claude: "不是 Claude 对话（没有 chat_messages）",
  "open-webui": "不是 Open WebUI 对话（没有 chat.history 或 chat.messages）",
  librechat: "不是 LibreChat 对话（没有 messages）",
  threadbook: "不是 Threadbook 对话导出",
};
const KEPT_ZH = "已导入的对话会保留；再次导入该文件即可完成。";

const refusalZh = (r: EntryRefusal) => (r.kind === "size" ? `${r.size} 超过了 ${r.limitMb} MB 的上限` : `解压后会膨胀 ${r.ratio ?? "无限"} 倍（压缩炸弹）`);

function attachmentZh(p: AttachmentProblem): string {
  switch (p.kind) {
    case "missing": return "导出中没有这个文件";
    case "refused": return refusalZh(p.refusal);
    case "name": return "文件名不能为空，且最多 255 个字符。";
    case "type": return `“${p.name}”不是支持的文件类型。允许：${p.allowed}。`;
    case "over": return `“${p.name}”超过了 ${p.limitMb} MB 的上限。`;
    case "too-large": return "文件过大";
    case "not-stored": return "无法保存";
    case "entry": return importProblemZh(p.problem);
  }
}

export function importProblemZh(p: ImportProblem): string {
  switch (p.code) {
    case "not-zip": return `这不是可读取的 zip 文件（${p.detail}）。`;
    case "zip-entries": return `该 zip 包含 ${p.entries} 个条目，最多只读取 ${p.limit} 个。`;
    case "zip-expands": return `该 zip 解压后超过 ${p.limitMb} MB，导入最多读取这么多。`;
    case "zip-damaged": return `该 zip 文件已损坏或不受支持（${p.detail}）。`;
    case "entry-refused": return `未读取“${p.name}”：${refusalZh(p.refusal)}。`;
    case "entry-unreadable": return `无法读取“${p.name}”（${p.detail}）。`;
    case "entry-over": return `“${p.name}”超过了允许的 ${p.limitMb} MB。`;
    case "entry-damaged": return `“${p.name}”已损坏（${p.detail}）。`;
    case "no-index": return `该 zip 中没有 conversations.json 或 index.json。${EXPECTED_ZH}`;
    case "conversations-refused": return `未读取 conversations.json：${refusalZh(p.refusal)}。`;
    case "no-conversation": return `文件中没有找到对话。${EXPECTED_ZH}`;
    case "unknown-json": return `Threadbook 无法识别这个 JSON 导出。${EXPECTED_ZH}`;
    case "unknown-conversations": return `该文件中的对话不是 ChatGPT 的（mapping）、Claude 的（chat_messages）、Open WebUI 的（chat.history），也不是 LibreChat 的（conversationId 和 messages）。${EXPECTED_ZH}`;
    case "not-index": return `index.json 不是 Threadbook 的导出索引。${EXPECTED_ZH}`;
    case "json-total": return `该 JSON 超过了导入最多读取的 ${p.limitMb} MB。`;
    case "json-document": return `该 JSON 文档超过了允许的 ${p.limitMb} MB。`;
    case "not-json": return "这不是 JSON 导出：它应以 [ 或 { 开头。";
    case "json-trailing": return "该 JSON 在结尾之后还有多余的数据。";
    case "json-deep": return `该 JSON 的嵌套超过 ${p.limit} 层；没有哪种导出会这样。`;
    case "json-cut-off": return "该 JSON 提前结束：文件不完整或已损坏。";
    case "storage-unavailable": return `文件存储不可用，导入已停止。${KEPT_ZH}`;
    case "store-unavailable": return `历史记录存储不可用，导入已停止。${KEPT_ZH}`;
    case "unexpected": return `导入因意外错误而停止。${KEPT_ZH}`;
    case "interrupted": return `导入被中断（服务器已重启）。${KEPT_ZH}`;
    case "given-up": return `导入被中断了 ${p.times} 次，因此已停止。已导入的对话会保留。`;
    case "never-resumed": return `导入被中断且未能恢复。${KEPT_ZH}`;
    case "upload-budget": return `此次导入超出了每个账号每天可添加的 ${p.limitMb} MB 文件和消息，导入已停止。已导入的对话会保留；${p.hours} 小时后再次导入该文件即可完成。`;
    case "empty": return "空对话";
    case "item-over": return `超过了单个对话允许的 ${p.limitMb} MB`;
    case "not-object": return "不是对话（应为对象）";
    case "invalid-json": return "不是有效的 JSON";
    case "unreadable": return "无法读取";
    case "json-missing": return "zip 中缺少它的 JSON 文件";
    case "skipped-entry": return refusalZh(p.refusal);
    case "id-taken": return "它的 ID 已被另一个对话使用";
    case "message-too-large": return "有一条消息太大，无法保存";
    case "does-not-fit": return "它不符合数据模型";
    case "too-many": return `超过 ${p.limit} 条${p.unit === "steps" ? "步骤" : "消息"}`;
    case "not-format": return NOT_FORMAT_ZH[p.format];
    case "no-id": return `该${p.unit === "thread" ? "对话" : "会话"}没有 ${p.field}`;
    case "attachment": return `附件“${p.name}”：${attachmentZh(p.problem)}`;
  }
}
