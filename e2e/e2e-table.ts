/**
 * The app's embedded DynamoDB listens on a fixed port in end-to-end runs, so a test can change the table behind the
 * running app (as an operator's `npm run user` on a shared table does).
 */
import { LOCAL_AWS_CREDENTIALS } from "../scripts/local-services";

export const E2E_DYNAMODB_PORT = Number(process.env.E2E_DYNAMODB_PORT ?? 3197);

/** For the app: dynalite on that port; sessions re-checked every second so a revocation shows without a long wait. */
export const E2E_TABLE_APP_ENV = { DYNAMODB_PORT: String(E2E_DYNAMODB_PORT), SESSION_CHECK_SECONDS: "1" };

/** For a test: the embedded table as `npm run user` would reach a configured one. */
export const E2E_TABLE_CLIENT_ENV = {
  DYNAMODB_TABLE: "threadbook",
  DYNAMODB_ENDPOINT: `http://127.0.0.1:${E2E_DYNAMODB_PORT}`,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
};
