import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/** Liveness for Playwright's webServer and load balancers: answers 200 once the services are configured. */
export function GET() {
  try {
    getServices();
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false }, { status: 503 });
  }
}
