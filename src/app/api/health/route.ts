export const dynamic = "force-dynamic";

/**
 * Liveness for Playwright's webServer, container HEALTHCHECKs and load balancers: the process answers HTTP. It touches
 * no dependency (a DynamoDB outage must not get every instance restarted); readiness is /api/health/ready.
 */
export function GET() {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
