/** The route's `[threadId]` as the id it names: percent-decoded once; a malformed escape is kept as it is (not found). */
export function threadIdFromParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
