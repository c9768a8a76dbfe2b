/**
 * Demo data for the embedded default, written once: alice and bob, realistic threads (a question, a run with a tool call,
 * a markdown answer, feedback on some, a CSV and a PNG stored in the bucket), and enough threads for alice
 * (70 over five months) that the list pages and groups by date.
 */
import { createHash } from "node:crypto";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDataLayer, createStorageFromConfig, isDataError, isoFromMicros, parseStorageConfig } from "../src/data";
import { createDynamoClient, dynamoSettings } from "../src/data";
import { hashPassword } from "../src/server/auth/password";
import { barChartPng } from "./png";

export const DEMO_USERS = [
  { identifier: "alice@example.com", displayName: "Alice Martin" },
  { identifier: "bob@example.com", displayName: "Bob Chen" },
] as const;

// A Threadbook-only item (Chainlit ignores PKs it does not query): its presence means "seeded".
const SEED_MARKER = { PK: { S: "THREADBOOK#SEED" }, SK: { S: "DEMO" } };

/** Stable ids, so a seed interrupted half way and run again writes the same items. */
export function demoId(name: string): string {
  const h = createHash("sha256").update(`threadbook-demo:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const TOPICS = [
  "Plan a three-day trip to Kyoto",
  "Explain Rust lifetimes with examples",
  "Draft a polite follow-up email",
  "Compare PostgreSQL and DynamoDB for chat history",
  "Weekly meal plan for two",
  "Debug a flaky Playwright test",
  "Summarise the Q3 sales report",
  "Write a haiku about autumn rain",
  "How do presigned S3 URLs work?",
  "Refactor a React component to hooks",
  "Learn the basics of Mandarin tones",
  "Set up a home network VLAN",
  "Budget for a kitchen renovation",
  "Explain transformers attention simply",
  "Ideas for a team offsite",
  "Convert a CSV to JSON in Python",
];

export const SALES_CSV = "region,quarter,revenue_eur,deals\nNorth,Q3,182400,41\nSouth,Q3,129900,33\nEast,Q3,201750,47\nWest,Q3,98300,22\n";

interface DemoTurn {
  question: string;
  tool?: { name: string; input: string; output: string };
  answer: string;
  feedback?: { value: 0 | 1; comment?: string };
}

/** The attention topic's answer ends with its formula, so the demo shows math as messages draw it. */
const ATTENTION_MATH = "\n\nThe whole idea in one formula, with $d_k$ the keys' dimension:\n\n$$\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V$$";

function turnsFor(topic: string, index: number): DemoTurn[] {
  const base: DemoTurn = {
    question: topic,
    tool: index % 3 === 0 ? { name: "web_search", input: JSON.stringify({ query: topic }), output: `3 results for "${topic}"` } : undefined,
    answer: `Here is a short answer about **${topic.toLowerCase()}**.\n\n1. Start with the essentials.\n2. Check the details.\n3. Iterate.\n\n\`\`\`python\nprint("${topic.replace(/"/g, "'")}")\n\`\`\`${topic.startsWith("Explain transformers attention") ? ATTENTION_MATH : ""}`,
    feedback: index % 4 === 0 ? { value: 1, comment: index % 8 === 0 ? "Clear and to the point." : undefined } : index % 7 === 0 ? { value: 0, comment: "Too generic." } : undefined,
  };
  return [base];
}

/** One demo thread: its owner (who must exist), name and time, and which conversation it holds. */
export interface DemoThread {
  user: string;
  name: string;
  /** When its first question was asked (ms); its steps follow, 1.5 s apart. */
  at: number;
  /** Numbers the thread among its owner's: its id is `demoId("<user>:<index>")`; a topic thread's tool and feedback follow from it. */
  index: number;
  /** The Q3 sales conversation: a table, code, a tool step, feedback, a CSV and a chart. */
  showcase?: boolean;
  /** Stored markup that must stay inert (XSS_PAYLOAD). */
  security?: boolean;
}

/** The `i`-th topic thread of a demo list: the topics in turn, numbered from their second round ("… (2)"). */
export const topicThread = (user: string, i: number, at: number): DemoThread => ({
  user,
  name: `${TOPICS[i % TOPICS.length]}${i >= TOPICS.length ? ` (${Math.floor(i / TOPICS.length) + 1})` : ""}`,
  at,
  index: i + 1,
});

/** The data layer over `env`'s table and storage (as the app's), and how to close it. */
export function demoDataLayer(env: Record<string, string | undefined>, clock?: () => Date) {
  const client = createDynamoClient(dynamoSettings(env));
  const data = new DynamoDBDataLayer({ tableName: env.DYNAMODB_TABLE!, client, storageProvider: createStorageFromConfig(parseStorageConfig(env)), clock });
  return { data, client, close: () => client.destroy() };
}

export async function seedDemoData(env: Record<string, string>, log: (line: string) => void = console.log): Promise<boolean> {
  let now = Date.now();
  const { data, client, close } = demoDataLayer(env, () => new Date(now));
  const tableName = env.DYNAMODB_TABLE!;
  try {
    const marker = await client.send(new GetItemCommand({ TableName: tableName, Key: SEED_MARKER, ConsistentRead: true }));
    if (marker.Item) return false;
    log("Seeding demo users and threads…");
    const start = Date.now();
    const day = 86_400_000;
    // Alice: the showcase thread first (today), then 70 more spread over five months, newest first.
    const plan: DemoThread[] = [{ user: "alice@example.com", name: "Q3 sales by region", at: start - 20 * 60_000, showcase: true, index: 0 }];
    for (let i = 0; i < 70; i++) {
      const age = i < 3 ? i * 3 * 3600_000 + 3600_000 : i < 6 ? day + i * 3600_000 : Math.round((i - 5) ** 1.35 * day);
      plan.push(topicThread("alice@example.com", i, start - age));
    }
    // Stored text that must never run in the UI (the e2e XSS check opens it).
    plan.push({ user: "bob@example.com", name: "Security check", at: start - 30 * 60_000, index: 110, security: true });
    for (let i = 0; i < 4; i++) plan.push({ user: "bob@example.com", name: i === 0 ? "Bob's travel checklist" : TOPICS[(i * 5) % TOPICS.length]!, at: start - i * 2 * day - 3600_000, index: 100 + i, showcase: i === 0 });

    // Oldest first: the layer's clock never goes back (clock.ts), so everything is written in the order of its time,
    // the users just before their oldest thread.
    plan.sort((a, b) => a.at - b.at);
    now = plan[0]!.at - 60_000;
    const password = await hashPassword(env.DEMO_PASSWORD ?? "threadbook-demo");
    for (const user of DEMO_USERS) {
      await data.createUser({ identifier: user.identifier, displayName: user.displayName, metadata: { demo: true } });
      await data.setUserPassword(user.identifier, password);
    }
    for (const thread of plan) {
      now = thread.at;
      await seedDemoThread(data, thread);
    }
    await client.send(new PutItemCommand({ TableName: tableName, Item: { ...SEED_MARKER, seededAt: { S: isoFromMicros(Date.now() * 1000) } } }));
    log(`Seeded ${DEMO_USERS.length} demo users and ${plan.length} threads.`);
    return true;
  } finally {
    close();
  }
}

/** The time between two of a demo turn's writes (a question, its run, a tool's start and end, the answer's start and end, the run's end). */
const TICK_MS = 1500;

/**
 * Writes one demo thread through the data layer, times from `thread.at` for its steps and the layer's clock for the
 * thread itself; returns its id. The demo seed writes every thread with it, and end-to-end specs their own users' threads.
 */
export async function seedDemoThread(data: DynamoDBDataLayer, thread: DemoThread): Promise<string> {
  const threadId = demoId(`${thread.user}:${thread.index}`);
  // createThread first: the thread starts with both indexes current, and every write below names its owner, so
  // the demo threads are searchable at once (docs/search.md). A re-run after an interruption finds it made.
  await data.createThread(threadId, thread.user).catch((error: unknown) => {
    if (!(isDataError(error) && error.code === "conflict")) throw error;
  });
  const owner = { owner: thread.user };
  await data.updateThread(threadId, { metadata: { seeded: true } });
  // The bump without metadata: a touch keeps the indexes current only then (as a chat turn's does).
  await data.updateThread(threadId, { name: thread.name, userId: thread.user }, { touch: true, ...owner });
  const turns = thread.security ? securityTurns() : thread.showcase ? showcaseTurns() : turnsFor(thread.name, thread.index);
  // The turns end at `thread.at`, the thread's own time: a thread "updated" before its last message reads wrong.
  const ticks = turns.reduce((n, turn) => n + (turn.tool ? 7 : 5), 0);
  let t = thread.at - ticks * TICK_MS;
  for (const [turnIndex, turn] of turns.entries()) {
    const stepId = (part: string) => demoId(`${threadId}:${turnIndex}:${part}`);
    // Microsecond times, as both apps write steps; a turn nests as Chainlit's on_message does: user_message → run → answer.
    const at = () => isoFromMicros((t += TICK_MS) * 1000);
    const userStep = stepId("user");
    const askedAt = at();
    await data.createStep({ id: userStep, threadId, type: "user_message", name: thread.user, output: turn.question, createdAt: askedAt, start: askedAt, end: askedAt }, owner);
    const run = stepId("run");
    const runStart = at();
    await data.createStep({ id: run, threadId, type: "run", name: "on_message", parentId: userStep, input: turn.question, createdAt: runStart, start: runStart });
    if (turn.tool) {
      const toolStart = at();
      await data.createStep({ id: stepId("tool"), threadId, parentId: run, type: "tool", name: turn.tool.name, input: turn.tool.input, output: turn.tool.output, showInput: "json", language: "json", createdAt: toolStart, start: toolStart, end: at() }, owner);
    }
    const answerAt = at();
    await data.createStep({ id: stepId("answer"), threadId, parentId: run, type: "assistant_message", name: "Assistant", output: turn.answer, createdAt: answerAt, start: answerAt, end: at() }, owner);
    await data.updateStep({ id: run, threadId, end: at() });
    if (turn.feedback) await data.upsertFeedback({ forId: run, threadId, value: turn.feedback.value, comment: turn.feedback.comment ?? null });
    if (thread.showcase && turnIndex === 0) {
      await data.createElement({ id: demoId(`${threadId}:csv`), threadId, forId: userStep, type: "file", name: "q3-sales.csv", mime: "text/csv", display: "inline", content: SALES_CSV }, owner);
      await data.createElement({ id: demoId(`${threadId}:png`), threadId, forId: stepId("answer"), type: "image", name: "revenue-by-region.png", mime: "image/png", display: "inline", size: "medium", content: barChartPng([182, 130, 202, 98]) }, owner);
    }
  }
  return threadId;
}

/** Markup in stored output: the thread view must show it as text (or drop it), never run it. */
export const XSS_PAYLOAD = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;

function securityTurns(): DemoTurn[] {
  return [
    {
      question: `Does this render? ${XSS_PAYLOAD}`,
      tool: { name: "fetch_page", input: JSON.stringify({ html: XSS_PAYLOAD }), output: XSS_PAYLOAD },
      answer: `Stored markup must stay inert:\n\n${XSS_PAYLOAD}\n\n[click me](javascript:window.__xss=3)`,
    },
  ];
}

function showcaseTurns(): DemoTurn[] {
  return [
    {
      question: "Here are our Q3 numbers (attached). Which region grew the most, and can you chart revenue by region?",
      tool: { name: "run_python", input: JSON.stringify({ code: "import pandas as pd\ndf = pd.read_csv('q3-sales.csv')\ndf.sort_values('revenue_eur')" }), output: "region  revenue_eur\nEast    201750\nNorth   182400\nSouth   129900\nWest     98300" },
      answer:
        "**East** leads Q3 with €201,750 across 47 deals, ahead of North.\n\n| Region | Revenue (€) | Deals | € per deal |\n|---|---:|---:|---:|\n| East | 201,750 | 47 | 4,293 |\n| North | 182,400 | 41 | 4,449 |\n| South | 129,900 | 33 | 3,936 |\n| West | 98,300 | 22 | 4,468 |\n\nThe chart is attached. The code I ran:\n\n```python\nimport pandas as pd\ndf = pd.read_csv(\"q3-sales.csv\")\ndf[\"per_deal\"] = df.revenue_eur / df.deals\n```\n\nWest closes the largest deals per head, so it may be under-staffed rather than under-performing.",
      feedback: { value: 1, comment: "Great breakdown, the per-deal column helped." },
    },
    {
      question: "What should we focus on in Q4?",
      answer: "Three suggestions:\n\n- **West**: add one account executive; deal size is already the best.\n- **South**: review the pipeline, win rate fell.\n- **East**: keep the momentum with a renewal campaign.\n\n> Figures are from the attached CSV only.",
    },
  ];
}
