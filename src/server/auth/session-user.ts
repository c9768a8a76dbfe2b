/** Who is calling: the identifier is the user's id, as in Chainlit's layer. */
export interface SessionUser {
  id: string;
  identifier: string;
  name?: string | null;
}
