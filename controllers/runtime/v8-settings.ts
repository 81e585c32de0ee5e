import { setFlagsFromString } from 'node:v8';

/** How far V8 lets the heap grow past what survived the last full GC, in percent. */
export const defaultHeapGrowingPercent = 50;

/**
 * V8 settings for the long-running controller, set by `kustodian controller` at start (the
 * one-shot commands keep V8's defaults). V8 reads these flags when it next needs them, so
 * they work after start; the same flags given to node win.
 *
 * - `--heap-growing-percent=50`: the controller holds little (a heap snapshot at peak shows
 *   ~26 MiB alive) but turns over a lot: every reconcile parses and prints YAML and JSON.
 *   V8's default growing factor (up to 4× the live set when allocation is fast) lets garbage
 *   pile up to several times what is alive. `KUSTODIAN_HEAP_GROWING_PERCENT=0` keeps it.
 * - `--no-maglev`: the mid-tier compiler's code and compile zones cost 6–8 MiB (measured on
 *   1,500 builds of the benchmark's fleet) with no measurable loss of speed: an I/O-bound
 *   controller's few hot paths still reach TurboFan.
 *
 * Returns the flags set.
 */
export function tuneV8ForController(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): string[] {
  const given = (name: string) =>
    execArgv.some((arg) => new RegExp(`^--(no-)?${name}(=|$)`).test(arg.replaceAll('_', '-')));
  const flags: string[] = [];
  const configured = env.KUSTODIAN_HEAP_GROWING_PERCENT;
  const percent = configured === undefined ? defaultHeapGrowingPercent : Number(configured);
  if (!given('heap-growing-percent') && Number.isInteger(percent) && percent > 0) {
    flags.push(`--heap-growing-percent=${percent}`);
  }
  if (!given('maglev')) flags.push('--no-maglev');
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}
