import { createCallerFactory, createTRPCRouter } from "./trpc";
import { chatRouter } from "./routers/chat";
import { elementsRouter } from "./routers/elements";
import { feedbackRouter } from "./routers/feedback";
import { importsRouter } from "./routers/imports";
import { searchRouter } from "./routers/search";
import { threadsRouter } from "./routers/threads";
import { userRouter } from "./routers/user";
import { shareRouter } from "./routers/share";

export const appRouter = createTRPCRouter({
  threads: threadsRouter,
  feedback: feedbackRouter,
  elements: elementsRouter,
  user: userRouter,
  chat: chatRouter,
  imports: importsRouter,
  share: shareRouter,
  search: searchRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
