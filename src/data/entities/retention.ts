/** "Delete conversations older than…" (docs/security.md, "Retention"): the periods a user may choose; none is Off. */
export const RETENTION_DAYS = [30, 90, 365] as const;
export type RetentionDays = (typeof RETENTION_DAYS)[number];
export const isRetentionDays = (value: unknown): value is RetentionDays => RETENTION_DAYS.includes(value as RetentionDays);

/** The setting as its runner reads it: the period, and where an unfinished walk of the user's threads goes on. */
export interface RetentionState {
  days: RetentionDays;
  /** The UserThread index key the last bounded run stopped at; null: the next run starts from the newest row. */
  cursor: Record<string, unknown> | null;
  /** The index sort key as written: when the next run is due, or the lease of the run going on. */
  due: string;
  /**
   * Runs started (claimed) since one last got somewhere, this one included (the data layer's running-jobs.ts): a run
   * that stores its cursor or ends its walk starts it again. 0 on items written before it existed.
   */
  runsWithoutProgress: number;
}

/** The setting as its owner sees it: the period, and whether its runs were stopped for failing (choosing again restarts them). */
export interface RetentionSetting {
  days: RetentionDays;
  stopped: boolean;
}
