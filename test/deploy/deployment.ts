/**
 * What the deployment tests share: the standalone artifact (the e2e run's clean copy in THREADBOOK_STANDALONE_DIR,
 * or a fresh copy of the last `npm run build`), an embedded stack in a temporary folder, and the fake OpenAI server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startStack, type Stack } from "../../scripts/stack";
import { copyStandalone } from "../../scripts/standalone";
import { startFakeOpenAI, type FakeOpenAI } from "../fake-openai";

export interface Deployment {
  standaloneDir: string;
  stack: Stack;
  openai: FakeOpenAI;
  /** The stack's environment with the fake assistant: what every app instance gets. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDeployment(options: { tokenDelayMs?: number } = {}): Promise<Deployment> {
  const work = mkdtempSync(path.join(tmpdir(), "threadbook-deploy-"));
  let standaloneDir = process.env.THREADBOOK_STANDALONE_DIR;
  if (!standaloneDir) {
    standaloneDir = path.join(work, "app");
    copyStandalone(standaloneDir);
  }
  const stack = await startStack({ PATH: process.env.PATH, THREADBOOK_DATA_DIR: path.join(work, "data") }, () => {});
  const openai = await startFakeOpenAI({ tokenDelayMs: options.tokenDelayMs });
  const env = { ...stack.env, OPENAI_BASE_URL: `${openai.baseUrl}`, OPENAI_API_KEY: "deploy-key", OPENAI_MODEL: "fake-gpt" };
  return {
    standaloneDir,
    stack,
    openai,
    env,
    stop: async () => {
      await Promise.allSettled([stack.stop(), openai.stop()]);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
