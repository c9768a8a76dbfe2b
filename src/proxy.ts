/**
 * Next 16's proxy (the former middleware), for share pages only: each is counted against its client address's
 * budget here, where a 429 can still be answered (a server component cannot set its status). Every other page
 * skips Next's middleware adapter altogether, which was most of what the proxy cost per page. The nonce and the
 * Content-Security-Policy of every page, share pages and their 429 included, come from Threadbook's HTTP entry
 * (src/server/http/page-security.ts), which has set them on the request and the response before this runs.
 */
import { NextResponse, type NextRequest } from "next/server";
import { LOCALE_COOKIE } from "@/lib/shared/i18n/locale";
import { getServices } from "@/server/services";
import { isSharePage, sharePageRateGate } from "@/server/share/share-page-gate";

export async function proxy(request: NextRequest) {
  if (!isSharePage(request.nextUrl.pathname)) return NextResponse.next();
  return (await sharePageRateGate(getServices(), request.headers, request.cookies.get(LOCALE_COOKIE)?.value)) ?? NextResponse.next();
}

export const config = {
  // Share pages only (isSharePage: `/share/{anything}`). Never /api: when the proxy runs, Next buffers the request
  // body to clone it, which would defeat the upload and tRPC routes' streaming limits.
  matcher: ["/share/:path+"],
};
