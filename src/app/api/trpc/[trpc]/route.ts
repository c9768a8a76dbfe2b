import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createInnerContext } from "@/server/context";
import { appRouter } from "@/server/root";
import { userFromRequest } from "@/server/auth";
import { clientAddressOf } from "@/server/http/client-address";
import { getServices } from "@/server/services";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () =>
      createInnerContext({
        user: await userFromRequest(req),
        services: getServices(),
        clientAddress: clientAddressOf(req.headers),
      }),
  });

export { handler as GET, handler as POST };
