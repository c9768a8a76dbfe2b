/** A share link's pages (the share page and its print view) are never indexed nor followed (docs/sharing.md). */
export const SHARE_ROBOTS = { index: false, follow: false, googleBot: { index: false, follow: false } };
