// A seeded random source, for fuzz and torture tests that can be replayed from their seed.

/** A small seeded generator (mulberry32): the same seed gives the same sequence. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = ReturnType<typeof random>;

export function pick<T>(next: Random, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

export function between(next: Random, low: number, high: number): number {
  return low + Math.floor(next() * (high - low + 1));
}
