import { en, type Dictionary } from "./en";
import type { Locale } from "./locale";
import { zhCN } from "./zh-CN";

/** Every locale's words: the browser's provider and the server components that write text before it runs. */
export const DICTIONARIES: Record<Locale, Dictionary> = { en, "zh-CN": zhCN };
