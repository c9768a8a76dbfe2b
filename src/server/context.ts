import type { SessionUser } from "./auth/session-user";
import type { Services } from "./services";

export interface Context {
  user: SessionUser | null;
  services: Services;
  /** The caller's address, for rate limits; null in tests and server components. */
  clientAddress: string | null;
}

/** Pure: tests and server components build it directly; the route handler adds the session. */
export function createInnerContext(opts: { user: SessionUser | null; services: Services; clientAddress?: string | null }): Context {
  return { user: opts.user, services: opts.services, clientAddress: opts.clientAddress ?? null };
}
