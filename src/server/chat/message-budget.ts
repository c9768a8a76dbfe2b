/**
 * Each user may send CHAT_MESSAGES_PER_MINUTE messages a minute. Every message starts a model request that the
 * operator pays for and a stream the server holds open, and any account can send (an OAuth sign-in is enough), so
 * the budget is what stops one account running either up without bound. It is counted in the table's rate counters
 * (data/layer/rate-counters.ts): one atomic UpdateItem, so every instance sees one count and a burst sent at once
 * cannot share one look at it. The gate sends it beside its read of the thread (trpc.ts), so it adds no round trip.
 */
import { TRPCError } from "@trpc/server";
import type { Services } from "../services";

const WINDOW_MS = 60_000;

const MESSAGE_BUDGET_EXCEEDED = "You are sending messages faster than this app allows. Wait a minute, then send again.";

export async function assertMessageBudget(services: Pick<Services, "data" | "env">, userIdentifier: string): Promise<void> {
  const hit = await services.data.countRateHit(`chat\n${userIdentifier}`, WINDOW_MS);
  if (hit.count > services.env.CHAT_MESSAGES_PER_MINUTE) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: MESSAGE_BUDGET_EXCEEDED });
}
