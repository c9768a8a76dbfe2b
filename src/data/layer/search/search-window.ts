/**
 * The search window (docs/search.md, "Opening the search"): what a query page would otherwise read on every
 * keystroke, read once when the search opens and kept in this process for WINDOW_FRESH_MS.
 *
 * A query page needs two things beside the words' postings: the catch-up check (threads Chainlit wrote become
 * searchable) and an order for many candidates (the newest rows of the caller's `USER#{userId}` index). Both come
 * from a Query of that index, which cannot join the page's BatchGetItem; with two words that Query was a page's 4th
 * request. So `prepareSearch` (the search box's focus, `search.prepare`) reads the newest WINDOW_ROWS rows, checks
 * the catch-up with them, and keeps the rows as the user's window. While it is fresh, a page reads only the words'
 * postings and one BatchGetItem: the window places the candidates and the BatchGetItem re-reads each placed
 * thread's THREAD item (strongly consistent), so ownership and names are never taken from the window, only the
 * order. Without a fresh window (another process, or the search left open longer), the page reads the index and
 * checks the catch-up itself, as before, and leaves the window for the next keystroke.
 *
 * What a window can miss, for at most WINDOW_FRESH_MS: activity written by Chainlit or by another Threadbook
 * process since it was read (not yet caught up, or ordered by its older activity). This process's own writes
 * drop the windows they make stale (a new thread, a turn's bump).
 */

/** An index row as search-order.ts's `Ordered` (the same shape; not imported, as the layer context holds this module). */
export interface WindowRow {
  threadId: string;
  PK: string;
  name: string | null;
  UserThreadSK: string;
  updatedAt: string;
}

/** Rows the window holds: one Query (≈ 220 bytes a row, ≈ 220 KB), enough to order most pages of a frequent word. */
export const WINDOW_ROWS = 1_000;
/** How long a window stands in for the index and the catch-up check. */
export const WINDOW_FRESH_MS = 30_000;
/** Users whose windows one process keeps (the least recently read goes first): memory stays bounded. */
const WINDOW_USERS = 50;

export interface SearchWindow {
  /** The user's index rows, newest first. */
  rows: WindowRow[];
  /** Where the index continues; undefined when the rows are all of it. */
  lastKey: Record<string, unknown> | undefined;
  /** When the rows were read and the catch-up checked (the layer's clock, ms). */
  readAt: number;
}

export class SearchWindows {
  private readonly byUser = new Map<string, SearchWindow>();

  /** The user's window if it is younger than WINDOW_FRESH_MS. */
  get(userId: string, now: number): SearchWindow | undefined {
    const window = this.byUser.get(userId);
    if (!window) return undefined;
    if (now - window.readAt > WINDOW_FRESH_MS) {
      this.byUser.delete(userId);
      return undefined;
    }
    this.byUser.delete(userId); // most recently used last
    this.byUser.set(userId, window);
    return window;
  }

  set(userId: string, window: SearchWindow): void {
    this.byUser.delete(userId);
    this.byUser.set(userId, window);
    while (this.byUser.size > WINDOW_USERS) this.byUser.delete(this.byUser.keys().next().value!);
  }

  /** A new thread of the user's: the window does not hold it. */
  forgetUser(userId: string): void {
    this.byUser.delete(userId);
  }

  /** A thread's activity moved: the window that holds it orders it wrongly. */
  forgetThread(threadId: string): void {
    for (const [userId, window] of this.byUser) if (window.rows.some((row) => row.threadId === threadId)) this.byUser.delete(userId);
  }
}
