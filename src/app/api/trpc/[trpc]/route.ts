import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { userFromRequest } from "@/server/auth";
import { toTRPCError } from "@/server/errors";
import { clientAddressOf } from "@/server/http/client-address";
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
        // Checking the session version reads the table: unreachable is a 503, as in any procedure.
        user: await userFromRequest(req).catch((error: unknown) => {
          throw toTRPCError(error);
        }),
        services: getServices(),
        clientAddress: clientAddressOf(req.headers),
      }),
  });
};

export { handler as GET, handler as POST };
