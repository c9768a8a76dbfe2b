/** The one import site of the wire transformer, shared by the server and the client links. */
export { default as transformer } from "superjson";
