import { decideRestart, isSpinning, rememberEnd, type RestartDecision, type RestartRules, type RunEnd } from './restart-policy.js';

/** What the restart rule needs to remember between runs of one `start()`: it applies the rule. */
export class RestartHistory {
  #pastEnds: number[] = [];
  #spinsInARow = 0;

  constructor(private readonly rules: RestartRules) {}

  /** Forgets everything: a new `start()` begins afresh. */
  reset(): void {
    this.#pastEnds = [];
    this.#spinsInARow = 0;
  }

  /** Decides what follows a run that ended `at` (ms on one clock), and remembers the end. */
  decide(end: Omit<RunEnd, 'endedAt' | 'pastEnds' | 'spinsInARow'>, at: number): RestartDecision {
    const decision = decideRestart({ ...end, endedAt: at, pastEnds: this.#pastEnds, spinsInARow: this.#spinsInARow }, this.rules);
    const requested = end.cause === 'restart-requested';
    if (!requested) this.#pastEnds = rememberEnd(this.#pastEnds, at, this.rules);
    if (!isSpinning(end, this.rules)) this.#spinsInARow = 0;
    else if (!requested) this.#spinsInARow++;
    return decision;
  }
}
