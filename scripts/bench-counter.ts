/**
 * Counts what the benchmarks' DynamoDB client sends: requests, and round trips — a request sent while none is in
 * flight starts one, so requests sent side by side count as one wait. Counted in the client, as an SDK middleware
 * that sees every HTTP attempt (retries included).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

export interface BenchCounter {
  readonly requests: number;
  readonly roundTrips: number;
}

export function countBenchRequests(client: DynamoDBClient): BenchCounter {
  const state = { requests: 0, roundTrips: 0, inFlight: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      state.requests++;
      if (state.inFlight++ === 0) state.roundTrips++;
      try {
        return await next(args);
      } finally {
        state.inFlight--;
      }
    },
    { step: "deserialize", name: "benchCounter" },
  );
  return state;
}
