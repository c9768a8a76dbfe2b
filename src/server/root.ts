import { createCallerFactory, createTRPCRouter } from "./trpc";
import { chatRouter } from "./routers/chat";
import { elementsRouter } from "./routers/elements";
import { feedbackRouter } from "./routers/feedback";
import { searchRouter } from "./routers/search";
import { threadsRouter } from "./routers/threads";
import { userRouter } from "./routers/user";

export const appRouter = createTRPCRouter({
  threads: threadsRouter,
  feedback: feedbackRouter,
  elements: elementsRouter,
  user: userRouter,
  chat: chatRouter,
  search: searchRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
