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
const NEW_CHAT_BUDGET_EXCEEDED = "You are starting new chats faster than this app allows. Wait a minute, then try again.";

async function assertPerMinute(services: Pick<Services, "data" | "env">, key: string, message: string): Promise<void> {
  const hit = await services.data.countRateHit(key, WINDOW_MS);
  if (hit.count > services.env.CHAT_MESSAGES_PER_MINUTE) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message });
}

export const assertMessageBudget = (services: Pick<Services, "data" | "env">, userIdentifier: string) =>
  assertPerMinute(services, `chat\n${userIdentifier}`, MESSAGE_BUDGET_EXCEEDED);

/**
 * New chats (threads.create, each a THREAD item written to the table) within the same number a minute, counted apart
 * from messages so a new chat's first message is not counted twice. Every other write a user can start is budgeted;
 * without this a script could fill the table with empty threads at the operator's expense. threads.create counts it
 * beside its write and removes the thread of a refused one, so a new chat waits no longer and a refusal keeps nothing.
 */
export const assertNewChatBudget = (services: Pick<Services, "data" | "env">, userIdentifier: string) =>
  assertPerMinute(services, `newchat\n${userIdentifier}`, NEW_CHAT_BUDGET_EXCEEDED);
