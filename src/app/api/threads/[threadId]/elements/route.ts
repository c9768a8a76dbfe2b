import { userFromRequest } from "@/server/auth";
import { uploadElement } from "@/server/chat/upload-element";
import { toPublicElement } from "@/server/public-thread";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * POST the raw bytes of one attachment (so the browser can report upload progress), with
 * `?elementId=&forId=&name=` and the file's Content-Type. Answers 201 with the element, or 4xx/503 with `{ error }`.
 */
export async function POST(req: Request, { params }: { params: Promise<{ threadId: string }> }) {
  const { threadId } = await params;
  const url = new URL(req.url);
  const length = req.headers.get("content-length");
  const result = await uploadElement(getServices(), await userFromRequest(req), {
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
