/** Go's `time.ParseDuration`, the format of Flux's interval and timeout fields. */

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const term = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/y;

export class DurationError extends Error {
  readonly code = 'InvalidDuration';
}

/**
 * Parses a Go duration such as `1h30m`, `90s` or `1.5m` into milliseconds. `field` names the
 * field in the error, e.g. `spec.interval`.
 */
export function parseDuration(text: string, field = 'duration'): number {
  const invalid = () =>
    new DurationError(`${field}: "${text}" is not a duration; write it like 30s, 5m or 1h30m`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  term.lastIndex = 0;
  while (term.lastIndex < rest.length) {
    const start = term.lastIndex;
    const match = term.exec(rest);
    const [, digits = '', unit = ''] = match ?? [];
    if (match === null || match.index !== start || digits === '' || digits === '.') {
      throw invalid();
    }
    total += Number(digits) * (unitMs[unit] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) throw invalid();
  return sign * total;
}

/** Formats milliseconds the way Go prints a duration: `1h0m0s`, `1m30s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Number((rest / 1000).toFixed(9));
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
