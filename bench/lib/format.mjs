// Number formatting for the report and the summary.

export function seconds(ms) {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s` : 'n/a';
}

export function millis(ms, digits = 2) {
  return Number.isFinite(ms) ? `${ms.toFixed(digits)} ms` : 'n/a';
}

export function mb(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : 'n/a';
}

export function ratio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}

export function count(value) {
  return Number.isFinite(value) ? value.toLocaleString('en-US') : 'n/a';
}

/** "met" or "MISSED", for a target. */
export function verdict(met) {
  return met === undefined ? 'n/a' : met ? 'met' : 'MISSED';
}
