/**
 * Takes secrets out of a text before it is shown, logged or stored: configuration errors, and the messages
 * an upstream server sends back (some quote the API key they refused).
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>((out, secret) => {
    const value = secret?.trim();
    // Blank or very short values are left alone: replacing "ab" would mangle ordinary words, and no key is that short.
    return value && value.length >= 4 ? out.split(value).join("[redacted]") : out;
  }, text);
}
