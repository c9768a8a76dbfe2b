import { Readable } from "node:stream";
import { userFromRequest } from "@/server/auth";
import { exportAccount } from "@/server/export/account-export";
import { answerUnavailable } from "@/server/http/route-answers";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * GET: the signed-in user's threads as one zip, streamed as it is made (account-export.ts). Only ever the caller's
 * own threads: the user comes from the session, never from the request.
 */
export function GET(req: Request) {
  return answerUnavailable(async () => {
    const user = await userFromRequest(req);
    if (!user) return Response.json({ error: "Sign in to continue" }, { status: 401 });
    const services = getServices();
    const zip = exportAccount({ data: services.data, storage: services.storage, userId: user.id, maxAttachmentBytes: services.env.MAX_UPLOAD_MB * 1024 * 1024 });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(Readable.toWeb(zip) as ReadableStream<Uint8Array>, {
      headers: {
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="threadbook-export-${day}.zip"`,
        "Cache-Control": "no-store",
      },
    });
  });
}
