import { isDataError } from "@/data";
import { userFromRequest } from "@/server/auth";
import { CROSS_ORIGIN_MESSAGE, isSameOriginRequest } from "@/server/http/same-origin";
import { startImport } from "@/server/import/import-jobs";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

const UNAVAILABLE = "The history store is unavailable right now; please try again.";

/**
 * POST the raw bytes of an export (so the browser can report upload progress), with `?name=`. Answers 202 with the
 * job (progress through `imports.get`), or 4xx/503 with `{ error }`; 403 when it does not come from the app's pages.
 */
export async function POST(req: Request) {
  if (!isSameOriginRequest(req)) {
    await req.body?.cancel().catch(() => undefined);
    return Response.json({ error: CROSS_ORIGIN_MESSAGE }, { status: 403 });
  }
  const length = req.headers.get("content-length");
  try {
    const user = await userFromRequest(req);
    if (!user) await req.body?.cancel().catch(() => undefined);
    const result = await startImport(getServices(), user, {
      fileName: new URL(req.url).searchParams.get("name") ?? "",
      contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
      body: req.body,
    });
    if (result.status === 202) return Response.json({ job: result.job }, { status: 202 });
    return Response.json({ error: result.error }, { status: result.status });
  } catch (error) {
    if (isDataError(error, "unavailable")) return Response.json({ error: UNAVAILABLE }, { status: 503 });
    throw error;
  }
}
