import { Readable } from "node:stream";
import { tabUserFromRequest } from "@/server/auth";
import { exportAccount } from "@/server/export/account-export";
import { exportRefusedFor } from "@/server/export/export-budget";
import { answerUnavailable } from "@/server/http/route-answers";
import { isCrossSiteNavigation, isSubresourceRequest } from "@/server/http/same-origin";
import { crossSitePage, tooManyRequestsPage } from "@/server/http/too-many-requests-page";
import { getServices } from "@/server/services";

export const dynamic = "force-dynamic";

/**
 * GET: the signed-in user's threads as one zip, streamed as it is made (account-export.ts). Only ever the caller's
 * own threads: the user comes from the session, never from the request. Over the user's hourly budget
 * (export-budget.ts): a 429 page saying when to try again, before anything is read. Started by another site's page
 * (its link or script; the session cookie rides along on a top-level navigation): a 403 page, before the session or
 * the budget is looked at, so no site can make the server export someone's account or spend their budget. Asked for
 * by a page's image, media, script or fetch, even the app's own (same-origin.ts, isSubresourceRequest): a 403 too.
 */
export function GET(req: Request) {
  if (isCrossSiteNavigation(req)) return Promise.resolve(crossSitePage(req, (t) => t.exportFromAnotherSite));
  // The menu navigates here; an image or a script of a page (the app's own included) never exports.
  if (isSubresourceRequest(req)) return Promise.resolve(Response.json({ error: "Export all is a download started from the account menu." }, { status: 403 }));
  return answerUnavailable(async () => {
    // Only the account of the user whose page asked (tabUserFromRequest).
    const user = await tabUserFromRequest(req);
    if (!user) return Response.json({ error: "Sign in to continue" }, { status: 401 });
    const services = getServices();
    const retryAfter = await exportRefusedFor(services, user.id);
    if (retryAfter !== null) return tooManyRequestsPage(req, (t, seconds) => t.exportRateLimited(Math.ceil(seconds / 60)), retryAfter);
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
