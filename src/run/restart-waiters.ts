/** The `restart()` calls waiting for a new child. */
export class RestartWaiters<Run> {
  #waiters: { resolve: () => void; reject: (error: Error) => void; before: Run | undefined }[] = [];

  /** Waits for a child other than `before`, the one that ran when restart() was called. */
  add(before: Run | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject, before }));
  }

  get pending(): boolean {
    return this.#waiters.length > 0;
  }

  /** Settles the waiters: all of them with an error, or those that `run`'s spawn answers. */
  settle(error?: Error, run?: Run): void {
    const settled = this.#waiters.filter((waiter) => error || waiter.before !== run);
    this.#waiters = this.#waiters.filter((waiter) => !settled.includes(waiter));
    for (const waiter of settled) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }
}
