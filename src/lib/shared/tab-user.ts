/**
 * The request header by which a signed-in tab says whose page made a tRPC request: the storage tag it claimed for
 * its user (lib/client/client-state.ts). Every tab of a browser shares its session cookie, so after a sign-in as
 * someone else in another tab, or a session changed without a word to this tab, a request from a page still showing
 * the previous user would otherwise be answered, and acted on, for the new one (server/auth/storage-owner.ts).
 */
export const TAB_USER_HEADER = "x-threadbook-tab-user";
/** The same, as a query parameter, for a request that is a navigation and carries no header of ours (Export all). */
export const TAB_USER_PARAM = "tab";
