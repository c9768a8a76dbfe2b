import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { userFromRequest } from "@/server/auth";
import { limitTrpcRequest, trpcLimitsFrom } from "@/server/http/trpc-limits";
import { getServices } from "@/server/services";

const ENDPOINT = "/api/trpc";

const handler = async (original: Request) => {
  const limits = trpcLimitsFrom(getServices().env);
  const limited = await limitTrpcRequest(original, ENDPOINT, limits);
  if (!limited.ok) return limited.response;
  const req = limited.req;
  return fetchRequestHandler({
    endpoint: ENDPOINT,
    req,
    router: appRouter,
    maxBatchSize: limits.maxBatchCalls,
    createContext: async () =>
      createInnerContext({
        user: await userFromRequest(req),
        services: getServices(),
        clientAddress: req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null,
      }),
  });
};

export { handler as GET, handler as POST };
