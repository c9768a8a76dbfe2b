/**
 * The one decision about where to go after signing in (the sign-in page, its actions, Auth.js's redirect callback).
 * Only a path on this app is followed; anything else lands on the thread list. Browsers read `//host`, `/\host` and
 * `/<tab>/host` (tabs and newlines are dropped while parsing) as another origin, and some layers decode once more
 * (`/%09/host`, `/%2F/host`), so the path is checked both as written and decoded.
 */
export const DEFAULT_AFTER_SIGN_IN = "/threads";
const MAX_LENGTH = 2048;
// Backslashes, C0 controls, DEL and white space (Unicode-aware): no legitimate path of the app has them.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\\u0000-\u001f\u007f\s]/u;

function decodedSafely(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/** The path part (before `?` or `#`) decides the target; it must hold no trick even once decoded. */
function isLocalPath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || UNSAFE.test(path)) return false;
  const decoded = decodedSafely(path.split(/[?#]/, 1)[0]!);
  return decoded !== null && !decoded.startsWith("//") && !UNSAFE.test(decoded);
}

/**
 * A same-origin path (with its query and fragment) for `value`, or the thread list. `origin` lets an absolute URL on
 * this very app through (Auth.js passes those), reduced to its path.
 */
export function safeCallbackPath(value: unknown, origin?: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return DEFAULT_AFTER_SIGN_IN;
  let path = value;
  if (origin && !value.startsWith("/")) {
    try {
      const url = new URL(value);
      if (url.origin !== new URL(origin).origin) return DEFAULT_AFTER_SIGN_IN;
      path = `${url.pathname}${url.search}${url.hash}`;
    } catch {
      return DEFAULT_AFTER_SIGN_IN;
    }
  }
  return isLocalPath(path) ? path : DEFAULT_AFTER_SIGN_IN;
}
