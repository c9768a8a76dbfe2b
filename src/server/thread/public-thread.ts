/**
 * The one shape a thread leaves the server in, for the API and the JSON export alike: fields picked one by one, so an
 * attribute the layer adds later is not sent by accident. How elements appear differs (a fresh link or none), so the
 * caller says.
 */
import type { Element, ThreadWithContent } from "@/data";

export function toPublicThread<E>(thread: ThreadWithContent, publicElement: (element: Element) => E) {
  return {
    id: thread.id,
    name: thread.name ?? null,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt ?? thread.createdAt,
    userId: thread.userId ?? null,
    tags: thread.tags ?? [],
    metadata: thread.metadata ?? {},
    steps: thread.steps,
    elements: thread.elements.map(publicElement),
  };
}

/**
 * Only a link signed just now is returned: a stored `url` (Chainlit kept the unsigned upload URL) stops working
 * or never worked, so an element whose signing failed or that has no object gets `url: null`.
 * Object keys stay on the server.
 */
export function toPublicElement({ objectKey: _objectKey, shareCopyKey: _copy, previewKey: _preview, previewRetry: _retry, previewRefused, ...element }: Element) {
  const signed = Boolean(element.urlExpiresAt && element.url);
  const preview = Boolean(element.previewUrlExpiresAt && element.previewUrl);
  return {
    ...element,
    url: signed ? element.url! : null,
    urlExpiresAt: signed ? element.urlExpiresAt! : null,
    previewUrl: preview ? element.previewUrl! : null,
    previewUrlExpiresAt: preview ? element.previewUrlExpiresAt! : null,
    // The view asks for a preview to be made only when none was refused for this file (element-previews.ts).
    previewRefused: Boolean(previewRefused),
  };
}

