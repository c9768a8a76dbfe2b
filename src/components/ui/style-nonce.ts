"use client";

import { setNonce } from "get-nonce";

/**
 * Radix's modal dialogs lock page scrolling with a <style> element they add at run time (react-remove-scroll, through
 * react-style-singleton). The page's CSP admits <style> elements only with the response's nonce
 * (src/server/security/security-headers.ts), and that library asks `get-nonce` for one. The browser hides a nonce
 * attribute's value but keeps it as a property on the elements that carry it: the root layout's theme script does.
 * Imported for its effect by every component built on Radix.
 */
if (typeof document !== "undefined") {
  const nonce = document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce;
  if (nonce) setNonce(nonce);
}
