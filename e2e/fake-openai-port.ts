/** The fake OpenAI-compatible server's port: fixed, because the app's environment is set before the tests start. */
export const FAKE_OPENAI_PORT = Number(process.env.E2E_OPENAI_PORT ?? 3198);
export const FAKE_OPENAI_ENV = {
  OPENAI_BASE_URL: `http://127.0.0.1:${FAKE_OPENAI_PORT}/v1`,
  OPENAI_API_KEY: "e2e-key",
  OPENAI_MODEL: "fake-gpt",
};
