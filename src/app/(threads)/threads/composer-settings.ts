import { cache } from "react";
import { currentUser } from "@/server/auth";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";
import { getServices } from "@/server/services";
import type { ComposerSettings } from "@/components/composer/composer";

/**
 * What the message box needs from the server (upload limits, who answers), read through the same procedures while
 * the page renders: the demo label and the file picker's types are in the first paint, and the browser asks for
 * nothing more (those queries would otherwise ride in the same batch as the thread list).
 */
export const readComposerSettings = cache(async (): Promise<ComposerSettings | undefined> => {
  const user = await currentUser();
  if (!user) return undefined;
  const caller = createCaller(createInnerContext({ user, services: getServices() }));
  const [limits, assistant] = await Promise.all([caller.chat.limits(), caller.chat.assistant()]);
  return { limits, assistant };
});
