import NextAuth from "next-auth";
import { cache } from "react";
import { authConfig } from "./config";
import type { SessionUser } from "../context";

const nextAuth = NextAuth(authConfig);

export const { handlers, signIn, signOut } = nextAuth;

/** The signed-in user for this request, read once per render (React cache). */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await nextAuth.auth();
  const id = session?.user?.id;
  if (!id) return null;
  return { id, identifier: session.user?.email ?? id, name: session.user?.name ?? null };
});
