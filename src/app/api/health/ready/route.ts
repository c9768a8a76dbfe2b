import { processWide } from "@/data/process-wide";
import { getServices } from "@/server/services";
import { createReadinessCheck, type Readiness } from "@/server/lifecycle/readiness";

export const dynamic = "force-dynamic";

/**
 * Readiness for load balancers and orchestrators: 200 when DynamoDB and storage answer within a short timeout, 503
 * otherwise or while the instance drains for a shutdown. Never names the table, bucket or error (server/lifecycle/readiness.ts).
 */
export async function GET() {
  let result: Readiness;
  try {
    result = await processWide("readiness", () => createReadinessCheck(getServices()))();
  } catch {
    result = { ready: false, checks: { dynamodb: "failed", storage: "failed" } };
  }
  return Response.json(result, { status: result.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
