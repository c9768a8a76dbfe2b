/**
 * Counts what the benchmarks' DynamoDB client sends: requests, and round trips — a request sent while none is in
 * flight starts one, so requests sent side by side count as one wait. Counted in the client, as an SDK middleware
 * that sees every HTTP attempt (retries included), and in the direct sender (src/data/dynamo/dynamo-direct.ts).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { directSenderOf } from "../../src/data/dynamo/dynamo-direct";

export interface BenchCounter {
  readonly requests: number;
  readonly roundTrips: number;
  /** Requests answered so far (sent ones still in flight are not). */
  readonly answered: number;
  /** Round trips over so far: the waits a moment came after, where `roundTrips` also counts one still in flight. */
  readonly roundTripsOver: number;
}

export function countBenchRequests(client: DynamoDBClient): BenchCounter {
  const state = { requests: 0, roundTrips: 0, answered: 0, roundTripsOver: 0, inFlight: 0 };
  const counted = async <T>(next: () => Promise<T>): Promise<T> => {
    state.requests++;
    if (state.inFlight++ === 0) state.roundTrips++;
    try {
      return await next();
    } finally {
      state.answered++;
      if (--state.inFlight === 0) state.roundTripsOver++;
    }
  };
  client.middlewareStack.add((next) => (args) => counted(() => next(args)), { step: "deserialize", name: "benchCounter" });
  // The data layer's common commands skip the SDK's middleware: counted where the direct sender sends them.
  directSenderOf(client)?.intercept((_attempt, next) => counted(next));
  return state;
}
