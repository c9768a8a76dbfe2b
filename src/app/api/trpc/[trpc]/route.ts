import { createInnerContext } from "@/server/context";
import { tabUserFromRequest } from "@/server/auth";
import { toTRPCError } from "@/server/errors";
import { clientAddressOf } from "@/server/http/client-address";
import { handleTrpcRequest } from "@/server/http/trpc-handler";
import { trpcLimitsFrom } from "@/server/http/trpc-limits";
import { getServices } from "@/server/services";

const handler = (original: Request) =>
  handleTrpcRequest(original, trpcLimitsFrom(getServices().env), async ({ req }) =>
    createInnerContext({
      // Checking the session version reads the table: unreachable is a 503, as in any procedure.
      // Answered only for the user whose page asked (tabUserFromRequest).
      user: await tabUserFromRequest(req).catch((error: unknown) => {
        throw toTRPCError(error);
      }),
      services: getServices(),
      clientAddress: clientAddressOf(req.headers),
    }),
  );

export { handler as GET, handler as POST };
