import { NextRequest } from "next/server";
import { handlers } from "@/server/auth";
import { withBoundedBody } from "@/server/http/bounded-body";

/**
 * Auth.js reads a POST's form or JSON body whole (`req.text()`), for anyone, signed in or not: without a bound, one
 * anonymous POST of a few hundred MB is held in memory. What it is sent (a sign-in form, a sign-out, an OAuth
 * form_post callback with its tokens) is a few KB, so the body is read up to this and refused past it.
 */
const AUTH_MAX_BODY_BYTES = 64 * 1024;

export const GET = handlers.GET;

export async function POST(req: NextRequest): Promise<Response> {
  const bounded = await withBoundedBody(req, AUTH_MAX_BODY_BYTES);
  if (!bounded) return Response.json({ error: "The request body is larger than the 64 KB limit." }, { status: 413 });
  return handlers.POST(bounded === req ? req : new NextRequest(bounded));
}
