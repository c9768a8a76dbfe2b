/** The validity window of a signed read URL, shared by both backends so `expiresAt` means the same thing on each. */
import { DataError } from "../errors";
import { DEFAULT_URL_EXPIRES_SECONDS } from "./storage-client";

/** SigV4 presigned URLs are capped at 7 days; the same cap keeps Azure SAS links from outliving a rotated key's grace. */
export const MAX_URL_EXPIRES_SECONDS = 604_800;
/** Azure compares `st` with its own clock: starting the SAS a little in the past tolerates a server clock behind ours. */
export const CLOCK_SKEW_SECONDS = 300;

export interface SigningWindow {
  /** Whole seconds: SigV4's X-Amz-Date and the SAS `se` both drop milliseconds, so the link really ends at `expiresOn`. */
  signedAt: Date;
  startsOn: Date;
  expiresOn: Date;
  expiresInSeconds: number;
}

export function checkExpiresInSeconds(value: number | undefined, fallback = DEFAULT_URL_EXPIRES_SECONDS): number {
  const seconds = value ?? fallback;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_URL_EXPIRES_SECONDS) {
    throw new DataError("validation", `expiresInSeconds must be an integer from 1 to ${MAX_URL_EXPIRES_SECONDS}, got ${seconds}`);
  }
  return seconds;
}

export function signingWindow(expiresInSeconds: number, now = new Date()): SigningWindow {
  const signedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return {
    signedAt,
    startsOn: new Date(signedAt.getTime() - CLOCK_SKEW_SECONDS * 1000),
    expiresOn: new Date(signedAt.getTime() + expiresInSeconds * 1000),
    expiresInSeconds,
  };
}
