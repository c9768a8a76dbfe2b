import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { userFromRequest } from "@/server/auth";
import { toTRPCError } from "@/server/errors";
import { clientAddressOf } from "@/server/http/client-address";
import { getServices } from "@/server/services";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
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

export { handler as GET, handler as POST };
