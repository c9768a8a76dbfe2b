import { userFromRequest } from "@/server/auth";
import { uploadElement } from "@/server/chat/uploads/upload-element";
import { answerUnavailable, declaredLength, refusedJson, refuseCrossOrigin } from "@/server/http/route-answers";
import { toPublicElement } from "@/server/thread/public-thread";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * POST the raw bytes of one attachment (so the browser can report upload progress), with
 * `?elementId=&forId=&name=` and the file's Content-Type. Answers 201 with the element, or 4xx/503 with `{ error }`;
 * 403 when it does not come from the app's own pages (same-origin.ts).
 */
export async function POST(req: Request, { params }: { params: Promise<{ threadId: string }> }) {
  const refused = await refuseCrossOrigin(req);
  if (refused) return refused;
  const { threadId } = await params;
  const url = new URL(req.url);
  return answerUnavailable(async () => {
    const user = await userFromRequest(req);
    const result = await uploadElement(getServices(), user, {
      threadId,
      elementId: url.searchParams.get("elementId") ?? "",
      forId: url.searchParams.get("forId") ?? "",
      fileName: url.searchParams.get("name") ?? "",
      mime: req.headers.get("content-type") ?? "",
      contentLength: declaredLength(req),
      body: req.body,
    });
    if (result.status === 201) return Response.json({ element: toPublicElement(result.element) }, { status: 201 });
    return refusedJson(result);
  });
}
