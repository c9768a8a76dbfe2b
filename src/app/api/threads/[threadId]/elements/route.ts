import { isDataError } from "@/data";
import { userFromRequest } from "@/server/auth";
import { uploadElement } from "@/server/chat/upload-element";
import { CROSS_ORIGIN_MESSAGE, isSameOriginRequest } from "@/server/http/same-origin";
import { toPublicElement } from "@/server/public-thread";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * POST the raw bytes of one attachment (so the browser can report upload progress), with
 * `?elementId=&forId=&name=` and the file's Content-Type. Answers 201 with the element, or 4xx/503 with `{ error }`;
 * 403 when it does not come from the app's own pages (same-origin.ts).
 */
export async function POST(req: Request, { params }: { params: Promise<{ threadId: string }> }) {
  if (!isSameOriginRequest(req)) {
    await req.body?.cancel().catch(() => undefined);
    return Response.json({ error: CROSS_ORIGIN_MESSAGE }, { status: 403 });
  }
  const { threadId } = await params;
  const url = new URL(req.url);
  const length = req.headers.get("content-length");
  let user;
  try {
    user = await userFromRequest(req);
  } catch (error) {
    // The session check reads the table; when it is unreachable, say so rather than 500.
    if (isDataError(error, "unavailable")) return Response.json({ error: "The history store is unavailable right now; please try again." }, { status: 503 });
    throw error;
  }
  const result = await uploadElement(getServices(), user, {
    threadId,
    elementId: url.searchParams.get("elementId") ?? "",
    forId: url.searchParams.get("forId") ?? "",
    fileName: url.searchParams.get("name") ?? "",
    mime: req.headers.get("content-type") ?? "",
    contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
    body: req.body,
  });
  if (result.status === 201) return Response.json({ element: toPublicElement(result.element) }, { status: 201 });
  return Response.json({ error: result.error }, { status: result.status });
}
