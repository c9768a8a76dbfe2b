import type { Services } from "../services";
import { ALLOWED_EXTENSIONS, ALLOWED_TYPES } from "./uploads/attachments";

/** The longest message `chat.send` takes. */
export const MESSAGE_MAX = 20_000;

/**
 * What the message box needs from the server before a byte is sent: the upload limits (the same constants the upload
 * route enforces: MAX_UPLOAD_MB, the MIME → extensions allow-list for the file picker's `accept` and for choosing a
 * MIME the route accepts when the browser gives none, the message length) and who answers (the UI labels the built-in
 * assistant as a demo). Fixed for the life of the services, so built once: the signed-in layout hands it to the
 * composer as a prop, and `chat.limits` / `chat.assistant` answer from it.
 */
export interface ComposerSettings {
  limits: { maxUploadBytes: number; allowedExtensions: string[]; allowedTypes: Record<string, string[]>; messageMax: number };
  assistant: { name: string; isDemo: boolean };
}

const built = new WeakMap<Services, ComposerSettings>();

export function composerSettings(services: Services): ComposerSettings {
  let settings = built.get(services);
  if (!settings) {
    settings = {
      limits: {
        maxUploadBytes: services.env.MAX_UPLOAD_MB * 1024 * 1024,
        allowedExtensions: ALLOWED_EXTENSIONS,
        allowedTypes: Object.fromEntries(Object.entries(ALLOWED_TYPES).map(([mime, { extensions }]) => [mime, extensions])),
        messageMax: MESSAGE_MAX,
      },
      assistant: { name: services.assistant.name, isDemo: services.assistant.isDemo },
    };
    built.set(services, settings);
  }
  return settings;
}
