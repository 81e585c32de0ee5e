// Decrypt/encrypt speed against the real sops binary, printed as ratios (< 1 means faster
// than sops). Run with the bundled Node: `node bench/sops-bench.ts` (npx puts it on PATH).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { ageKeySource, decryptFile, encryptFile, type Format } from '../sops/index.ts';
import { pathWithTestbed } from '../test/testbed/paths.ts';
import { buildCli } from './built-cli.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
// Users run the built package (bin/kustodian.js → the bundle of dist/), so time a fresh build
// of it rather than Node's on-the-fly type stripping.
const kustodian = buildCli('kustodian-sops-bench');
console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
const dir = mkdtempSync(join(tmpdir(), 'kustodian-sops-bench-'));
const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const keyFile = join(dir, 'keys.txt');
writeFileSync(keyFile, `${identity}\n`, { mode: 0o600 });
const env = { ...process.env, PATH: pathWithTestbed(), SOPS_AGE_KEY_FILE: keyFile, HOME: dir };
const keySources = [ageKeySource([identity])];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Run {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

interface Timing {
  /** Median wall time, ms. */
  wall: number;
  /** Median CPU time (user + system) of the process, ms: steadier than wall on a busy machine. */
  cpu: number;
}

/**
 * Times each run under bash's `time` (rusage of the child, to the millisecond), the runs
 * interleaved so that a change in load hits all alike.
 */
function timeProcesses(runs: Run[]): Timing[] {
  const wall = runs.map((): number[] => []);
  const cpu = runs.map((): number[] => []);
  const failed = new Set<number>();
  for (let i = 0; i < RUNS; i++) {
    runs.forEach(({ command, args, env: extra }, k) => {
      if (failed.has(k)) return;
      const start = performance.now();
      const result = spawnSync(
        'bash',
        ['-c', 'TIMEFORMAT="%3U %3S"; time "$@" >/dev/null', 'bash', command, ...args],
        { env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      wall[k]?.push(performance.now() - start);
      const lines = result.stderr.toString().trim().split('\n');
      const [user = Number.NaN, system = Number.NaN] = (lines.at(-1) ?? '').split(' ').map(Number);
      cpu[k]?.push((user + system) * 1000);
      if (result.status !== 0) {
        // Another part of the program may not build right now; report the row as n/a.
        console.error(`  (${args[0] ?? command} failed: ${lines[0]?.slice(0, 160)})`);
        failed.add(k);
      }
    });
  }
  return runs.map((_, k) =>
    failed.has(k)
      ? { wall: Number.NaN, cpu: Number.NaN }
      : { wall: median(wall[k] ?? []), cpu: median(cpu[k] ?? []) },
  );
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

function yamlWith1000Values(): string {
  const lines: string[] = [];
  for (let i = 0; i < 100; i++) {
    lines.push(`service${i}:`);
    for (let j = 0; j < 10; j++) lines.push(`    key${j}: value-${i}-${j}-${'x'.repeat(20)}`);
  }
  return `${lines.join('\n')}\n`;
}

function dotenv1MiB(): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024; i++) {
    const line = `VAR_${i}=${'v'.repeat(80)}${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

async function bench(name: string, format: Format, ext: string, plain: string): Promise<void> {
  const plainPath = join(dir, `${name}.${ext}`);
  const encPath = join(dir, `${name}.enc.${ext}`);
  writeFileSync(plainPath, plain);
  const encrypted = spawnSync(
    'sops',
    ['--disable-version-check', '--encrypt', '--age', recipient, plainPath],
    { env, maxBuffer: 256 * 1024 * 1024 },
  );
  writeFileSync(encPath, encrypted.stdout);
  const bytes = encrypted.stdout;

  // The timed build must also be right: its decryption equals the plaintext.
  const check = spawnSync(kustodian, ['sops', 'decrypt', encPath], { env, maxBuffer: 1 << 28 });
  if (check.stdout.toString() !== plain) console.error(`  (${name}: our decryption differs)`);
  // KUSTODIAN_SNAPSHOT=off: the same build started from its modules (the bundle) instead of
  // the startup snapshot, to show what the snapshot gains in the same run.
  const modules = { KUSTODIAN_SNAPSHOT: 'off' };
  const encryptArgs = ['sops', 'encrypt', '--age', recipient, plainPath];
  const [sopsDecrypt, oursDecrypt, modulesDecrypt] = timeProcesses([
    { command: 'sops', args: ['--disable-version-check', '--decrypt', encPath] },
    { command: kustodian, args: ['sops', 'decrypt', encPath] },
    { command: kustodian, args: ['sops', 'decrypt', encPath], env: modules },
  ]);
  const [sopsEncrypt, oursEncrypt, modulesEncrypt] = timeProcesses([
    {
      command: 'sops',
      args: ['--disable-version-check', '--encrypt', '--age', recipient, plainPath],
    },
    { command: kustodian, args: encryptArgs },
    { command: kustodian, args: encryptArgs, env: modules },
  ]);
  const libDecrypt = await timeAsync(() => decryptFile(bytes, { format, keySources }));
  const libEncrypt = await timeAsync(() =>
    encryptFile(Buffer.from(plain), {
      format,
      keySources,
      keyGroups: [[{ type: 'age', id: recipient }]],
    }),
  );

  const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1)).padStart(8);
  const ratio = (ours: number, theirs: number) =>
    Number.isNaN(ours) ? ' n/a' : (ours / theirs).toFixed(2);
  const row = (what: string, ours: number, theirs: number) =>
    `  ${what.padEnd(32)} ours ${ms(ours)} ms   sops ${ms(theirs)} ms   ratio ${ratio(ours, theirs)}`;
  const processRow = (what: string, ours: Timing | undefined, theirs: Timing | undefined) =>
    `${row(what, ours?.wall ?? Number.NaN, theirs?.wall ?? Number.NaN)}   cpu ratio ${ratio(ours?.cpu ?? Number.NaN, theirs?.cpu ?? Number.NaN)} (${ms(ours?.cpu ?? Number.NaN)} / ${ms(theirs?.cpu ?? Number.NaN)} ms)`;
  const sopsDecryptMs = sopsDecrypt?.wall ?? Number.NaN;
  const sopsEncryptMs = sopsEncrypt?.wall ?? Number.NaN;
  console.log(`${name} (${(plain.length / 1024).toFixed(0)} KiB, median of ${RUNS})`);
  console.log(processRow('decrypt, whole process', oursDecrypt, sopsDecrypt));
  console.log(processRow('decrypt, process, no snapshot', modulesDecrypt, sopsDecrypt));
  console.log(processRow('encrypt, whole process', oursEncrypt, sopsEncrypt));
  console.log(processRow('encrypt, process, no snapshot', modulesEncrypt, sopsEncrypt));
  console.log(row('decrypt, in-library vs process', libDecrypt, sopsDecryptMs));
  console.log(row('encrypt, in-library vs process', libEncrypt, sopsEncryptMs));
}

try {
  await bench('yaml-1000-values', 'yaml', 'yaml', yamlWith1000Values());
  await bench('dotenv-1MiB', 'dotenv', 'env', dotenv1MiB());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
