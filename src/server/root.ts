import { createCallerFactory, createTRPCRouter } from "./trpc";
import { elementsRouter } from "./routers/elements";
import { feedbackRouter } from "./routers/feedback";
import { threadsRouter } from "./routers/threads";
import { userRouter } from "./routers/user";

export const appRouter = createTRPCRouter({
  threads: threadsRouter,
  feedback: feedbackRouter,
  elements: elementsRouter,
  user: userRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
