/**
 * Users made for one spec through the `npm run user` code path on the app's table (e2e-table.ts). The demo users
 * (alice, bob) stay exactly as seeded, for the specs that only read them; a spec that writes (sends, rates, renames,
 * deletes, imports, shares, uploads) does it as a user of its own, with threads of its own written by the demo seed's
 * code, so no spec depends on what another one did or left behind, in whatever order or shard they run.
 */
import { randomUUID } from "node:crypto";
import type { Browser } from "@playwright/test";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { elementSk, previewKeyOf, threadPk, type DynamoDBDataLayer } from "../src/data";
import { demoDataLayer, seedDemoThread, topicThread, type DemoThread } from "../scripts/seed";
import { runCommand, type ParsedCommand } from "../scripts/user";
import { E2E_TABLE_CLIENT_ENV } from "./e2e-table";
import { test as base, signedInSession, type StorageState } from "./fixtures";

export const FRESH_USER_PASSWORD = "a long e2e password";

/** Runs `work` with the data layer over the app's table and bucket. */
export async function onTable<T>(work: (data: DynamoDBDataLayer) => Promise<T>): Promise<T> {
  const { data, close } = demoDataLayer(E2E_TABLE_CLIENT_ENV);
  try {
    return await work(data);
  } finally {
    close();
  }
}

/**
 * Puts off an image element's preview until `retryAt` (ms), as a making that ran out of time records it
 * (docs/long-threads.md, "Image previews"): until then elements.preview answers null ("none now") without reading the file.
 */
export async function putOffPreview(element: { threadId: string; id: string; objectKey: string }, retryAt: number): Promise<void> {
  const { client, close } = demoDataLayer(E2E_TABLE_CLIENT_ENV);
  try {
    const retry = `${previewKeyOf(element.threadId, element.id, element.objectKey)} ${retryAt} 1`;
    await client.send(
      new UpdateItemCommand({
        TableName: E2E_TABLE_CLIENT_ENV.DYNAMODB_TABLE,
        Key: { PK: { S: threadPk(element.threadId) }, SK: { S: elementSk(element.id) } },
        UpdateExpression: "SET previewRetry = :retry",
        ExpressionAttributeValues: { ":retry": { S: retry } },
      }),
    );
  } finally {
    close();
  }
}

/** Runs one `npm run user` command against the app's table; new users get FRESH_USER_PASSWORD. */
export async function userCli(command: ParsedCommand, password = FRESH_USER_PASSWORD): Promise<void> {
  await onTable((data) => runCommand(command, { data, readPassword: async () => password, out: () => undefined }));
}

/** A unique identifier: `<prefix>-<random>@example.com`. */
export const freshIdentifier = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.com`;

/** Adds a user, then signs them in once (signedInSession). */
export async function freshUserSession(browser: Browser, baseURL: string | undefined, identifier: string, password = FRESH_USER_PASSWORD): Promise<StorageState> {
  await userCli({ command: "add", identifier, name: null }, password);
  return signedInSession(browser, baseURL, identifier, password);
}

/** Demo threads for `user`, written oldest first a minute apart ending now, so their list shows them newest first; returns their ids. */
export async function seedThreads(data: DynamoDBDataLayer, threads: Omit<DemoThread, "at">[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, thread] of threads.entries()) ids.push(await seedDemoThread(data, { ...thread, at: Date.now() - (threads.length - i) * 60_000 }));
  return ids;
}

/** The Q3 sales showcase (table, code, a tool step, feedback on the first answer, a CSV and a chart) for `user`. */
export const showcaseThread = (user: string, name = "Q3 sales by region"): Omit<DemoThread, "at"> => ({ user, name, index: 0, showcase: true });
/** The demo list's `i`-th topic thread (names as alice's: "Budget for a kitchen renovation", "… (2)") for `user`. */
export const topicThreadOf = (user: string, i: number): Omit<DemoThread, "at"> => topicThread(user, i, 0);

export interface OwnUser<T> {
  identifier: string;
  /** What the spec's `seed` returned. */
  seeded: T;
}

/**
 * A user of the spec's own: added, seeded with `seed`, and signed in once, in a beforeAll of the file or describe it
 * is called in. Every test of the returned `test` runs signed in as them, with them as the `own` fixture.
 */
export function ownUser<T = void>(prefix: string, seed?: (data: DynamoDBDataLayer, identifier: string) => Promise<T>) {
  let own: OwnUser<T> | undefined;
  let session: StorageState | undefined;
  const test = base.extend<{ own: OwnUser<T> }>({
    // Playwright reads a fixture's dependencies from its destructuring pattern: these depend on none.
    // eslint-disable-next-line no-empty-pattern
    storageState: async ({}, provide) => provide(session!),
    // eslint-disable-next-line no-empty-pattern
    own: async ({}, provide) => provide(own!),
  });
  test.beforeAll(async ({ browser }) => {
    // Seeding, then a sign-in, on a machine that may be busy.
    test.setTimeout(180_000);
    const identifier = freshIdentifier(prefix);
    await userCli({ command: "add", identifier, name: null });
    const seeded = seed ? await onTable((data) => seed(data, identifier)) : (undefined as T);
    own = { identifier, seeded };
    session = await signedInSession(browser, test.info().project.use.baseURL, identifier, FRESH_USER_PASSWORD);
  });
  return test;
}
