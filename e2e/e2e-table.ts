/**
 * The app's embedded DynamoDB and S3 listen on fixed ports in end-to-end runs, so a test can change the table behind
 * the running app (as an operator's `npm run user` on a shared table does) and seed threads with files of its own.
 */
import { LOCAL_AWS_CREDENTIALS } from "../scripts/local-services";
import { EMBEDDED_BUCKET, EMBEDDED_TABLE } from "../scripts/stack";

export const E2E_DYNAMODB_PORT = Number(process.env.E2E_DYNAMODB_PORT ?? 3197);
export const E2E_S3_PORT = Number(process.env.E2E_S3_PORT ?? 3196);

/** For the app: dynalite and s3rver on those ports; sessions re-checked every second so a revocation shows without a long wait. */
export const E2E_TABLE_APP_ENV = { DYNAMODB_PORT: String(E2E_DYNAMODB_PORT), S3_PORT: String(E2E_S3_PORT), SESSION_CHECK_SECONDS: "1" };

/** For a test: the embedded table and bucket as `npm run user` (or the seed) would reach configured ones. */
export const E2E_TABLE_CLIENT_ENV = {
  DYNAMODB_TABLE: EMBEDDED_TABLE,
  DYNAMODB_ENDPOINT: `http://127.0.0.1:${E2E_DYNAMODB_PORT}`,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
  S3_BUCKET: EMBEDDED_BUCKET,
  S3_ENDPOINT: `http://127.0.0.1:${E2E_S3_PORT}`,
  S3_FORCE_PATH_STYLE: "true",
};
