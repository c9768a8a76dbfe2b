/**
 * A few places for heavy work in this process, shared fairly between lanes. Image previews use it with a thread as
 * the lane: one thread's gallery of 40 Chainlit images, opened at once, used to fill the whole queue, so every other
 * thread's first thumbnail (another user's, or a share's) waited behind all 40 or was turned away.
 *
 * - Waiting asks are served round-robin: each lane's oldest ask in turn, a lane going to the back of the line once served.
 * - At most `limits.waiting` asks wait in all. When they are full, an ask of a lane with fewer waiting takes the
 *   place of the newest ask of the longest lane (that one is turned away, as a full queue turns an ask away), so
 *   no lane is shut out by another's burst. Lanes as long as each other keep their places (no ping-pong).
 * - A finished ask hands its place to the next in line, so no newcomer slips in between.
 */
interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class FairSlots {
  private busy = 0;
  private waiting = 0;
  /** Insertion order is the line: the first lane is served next. */
  private readonly lanes = new Map<string, Waiter[]>();

  constructor(
    private readonly places: number,
    /** Read at each ask, so a test may lower it for a moment. */
    private readonly limits: { waiting: number },
    /** The error an ask turned away rejects with. */
    private readonly turnedAway: () => Error,
  ) {}

  async run<T>(lane: string, work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.places) await this.wait(lane);
    else this.busy++;
    try {
      return await work();
    } finally {
      this.handOn();
    }
  }

  private wait(lane: string): Promise<void> {
    if (this.waiting >= this.limits.waiting && !this.makeRoomFor(lane)) throw this.turnedAway();
    return new Promise<void>((resolve, reject) => {
      const line = this.lanes.get(lane) ?? [];
      line.push({ resolve, reject });
      this.lanes.set(lane, line);
      this.waiting++;
    });
  }

  /** Turns away the newest ask of the longest lane when it holds at least 2 more than `lane`; false when none does. */
  private makeRoomFor(lane: string): boolean {
    const mine = this.lanes.get(lane)?.length ?? 0;
    let longest: Waiter[] = [];
    for (const line of this.lanes.values()) if (line.length > longest.length) longest = line;
    if (longest.length < mine + 2) return false;
    this.waiting--;
    longest.pop()!.reject(this.turnedAway());
    return true;
  }

  private handOn() {
    const first = this.lanes.entries().next();
    if (first.done) {
      this.busy--;
      return;
    }
    const [lane, line] = first.value;
    const next = line.shift()!;
    this.lanes.delete(lane);
    if (line.length > 0) this.lanes.set(lane, line);
    this.waiting--;
    next.resolve();
  }
}
