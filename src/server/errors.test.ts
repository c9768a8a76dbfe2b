/**
 * Errors reach clients as fixed, user-facing messages: a DataError's own text (ids, keys, the bucket, which check
 * failed, e.g. "invalid cursor (user)") stays in the server log.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DataError, type DataErrorCode } from "@/data";
import { callerFor, createTestServices, seedThread, sessionUser } from "../../test/callers";
import { publicMessage, toTRPCError } from "./errors";

const CODES: DataErrorCode[] = ["not_found", "validation", "conflict", "invalid_cursor", "too_large", "storage", "unavailable"];
const INTERNAL = "thread THREAD#abc of alice@example.com: invalid cursor (user) at s3://bucket/key";

describe("toTRPCError", () => {
  it.each(CODES)("%s: a fixed message that names nothing internal", (code) => {
    const error = toTRPCError(new DataError(code, INTERNAL));
    expect(error.message).toBe(publicMessage(new DataError(code, "anything else")));
    expect(error.message).not.toMatch(/THREAD#|alice|cursor \(|s3:|bucket|key/);
  });

  it("hostile: a DataError made by another copy of the data module (a built server holds several) keeps its code, not a 500", async () => {
    // Next bundles instrumentation.ts (which builds the services, and so the data layer) apart from the routes: the
    // layer's DataError is then another class than the one the API checks against. A fresh module registry is that.
    vi.resetModules();
    const other = await import("@/data/errors");
    expect(other.DataError).not.toBe(DataError);
    for (const code of CODES) expect(toTRPCError(new other.DataError(code, INTERNAL))).toMatchObject({ message: publicMessage(new DataError(code, "")) });
    expect(toTRPCError(new other.DataError("invalid_cursor", INTERNAL)).code).toBe("BAD_REQUEST");
    const { StorageError } = await import("@/data/storage/storage-errors");
    expect(toTRPCError(new StorageError("unreachable", { kind: "S3 bucket", name: "b", endpoint: "http://x" }, INTERNAL)).code).toBe("SERVICE_UNAVAILABLE");
    // Nothing else passes for one.
    expect(toTRPCError(Object.assign(new Error(INTERNAL), { name: "DataError", code: "invalid_cursor" })).code).toBe("INTERNAL_SERVER_ERROR");
  });

  it("an unexpected error is a bare INTERNAL_SERVER_ERROR", () => {
    expect(toTRPCError(new TypeError(INTERNAL))).toMatchObject({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong" });
  });
});

describe("through the API", () => {
  let services: Awaited<ReturnType<typeof createTestServices>>;
  beforeAll(async () => {
    services = await createTestServices();
  });
  afterAll(() => services.close());

  it("a cursor of another user is BAD_REQUEST without the layer's reason", async () => {
    const [alice, bob] = [sessionUser(`alice-${randomUUID()}@example.com`), sessionUser()];
    await seedThread(services, alice.id, "one");
    await seedThread(services, alice.id, "two");
    const cursor = (await callerFor(services, alice).threads.list({ first: 1 })).pageInfo.endCursor;
    const error = await callerFor(services, bob).threads.list({ first: 1, cursor }).then(() => null, (e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: "This list is out of date. Please reload it." });
  });
});
