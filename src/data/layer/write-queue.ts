/**
 * Per-key promise chains. Chainlit's core fires create_step/update_step as background tasks; its create→update order
 * held only because blocking boto3 ran them FIFO (docs/chainlit.md, "Steps: create_step and update_step"). An async
 * port must serialise writes to one step itself, or an update can land before the create and be overwritten by it.
 */
export class WriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task queued earlier under `key` has settled (failed ones included). */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    // The tail never rejects, so one failed write neither blocks nor fails the writes queued after it.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      // Drop the entry once the chain has drained, so the map holds only steps with writes in flight.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have writes in flight (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
