/** Starts the real local servers once for the whole suite; tests reach them over loopback via inject(). */
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
    startDynalite(),
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
