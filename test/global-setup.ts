/**
 * Starts the real local servers once for the whole suite; tests reach them over loopback via inject().
 *
 * DYNAMODB_TEST_ENDPOINT (opt-in): the URL of a DynamoDB that is already running, used instead of starting dynalite.
 * `npm run test:dynamodb-local` (scripts/test-dynamodb-local.sh) sets it to AWS's DynamoDB Local, to run the data-layer
 * suite against it and catch where dynalite differs from DynamoDB. s3rver and azurite start as usual either way.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startAzurite, startDynalite, startS3rver, type LocalService } from "../scripts/local-services";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    azuriteEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), "threadbook-test-"));
  const services: LocalService[] = [];
  const [dynamo, s3, azure] = await Promise.all([
    process.env.DYNAMODB_TEST_ENDPOINT
      ? { endpoint: process.env.DYNAMODB_TEST_ENDPOINT, port: 0, stop: async () => {} } // started and stopped by its owner
      : startDynalite(),
    startS3rver({ directory: path.join(dir, "s3"), resetOnClose: true }),
    startAzurite(),
  ]);
  services.push(dynamo, s3, azure);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("s3Endpoint", s3.endpoint);
  project.provide("azuriteEndpoint", azure.endpoint);
  return async () => {
    await Promise.all(services.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
}
