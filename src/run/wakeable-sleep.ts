/** A wait that something else may cut short: the wait before a restart, which stop() and restart() end. */
export class WakeableSleep {
  #wake: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => (this.#wake = undefined));
  }

  /** Ends the current wait now, if there is one. */
  wake(): void {
    this.#wake?.();
  }
}
