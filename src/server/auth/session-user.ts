/** Who is calling: the identifier is the user's id, as in Chainlit's layer. */
export interface SessionUser {
  id: string;
  identifier: string;
  name?: string | null;
  /** When this session signed in (ms since the epoch), null when unknown; unset for callers that are no session. */
  signedInAt?: number | null;
  /** The provider this session signed in with (`credentials`, `oidc`, `github`, …), null when unknown. */
  signInProvider?: string | null;
}
