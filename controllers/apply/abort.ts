import { ApplyError } from './apply-error.ts';

/** Throws `Aborted` once the caller's signal fired; checked between steps of long work. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new ApplyError('Aborted', `${what} aborted`, { cause: signal.reason });
}
