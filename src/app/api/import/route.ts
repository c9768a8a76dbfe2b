import { tabUserFromRequest } from "@/server/auth";
import { answerUnavailable, declaredLength, refusedJson, refuseCrossOrigin } from "@/server/http/route-answers";
import { startImport } from "@/server/import/import-jobs";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * POST the raw bytes of an export (so the browser can report upload progress), with `?name=`. Answers 202 with the
 * job (progress through `imports.get`), or 4xx/503 with `{ error }`; 403 when it does not come from the app's pages.
 */
export async function POST(req: Request) {
  const refused = await refuseCrossOrigin(req);
  if (refused) return refused;
  return answerUnavailable(async () => {
    // Only into the account of the user whose page sent it (tabUserFromRequest).
    const user = await tabUserFromRequest(req);
    if (!user) await req.body?.cancel().catch(() => undefined);
    const result = await startImport(getServices(), user, {
      fileName: new URL(req.url).searchParams.get("name") ?? "",
      contentLength: declaredLength(req),
      body: req.body,
    });
    if (result.status === 202) return Response.json({ job: result.job }, { status: 202 });
    return refusedJson(result);
  });
}
