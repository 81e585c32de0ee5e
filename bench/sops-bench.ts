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

function timeProcess(command: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(performance.now() - start);
    if (result.status !== 0) {
      // Another part of the program may not build right now; report the row as n/a.
      console.error(
        `  (${args[0] ?? command} failed: ${result.stderr.toString().split('\n')[0]?.slice(0, 160)})`,
      );
      return Number.NaN;
    }
  }
  return median(times);
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
  const sopsDecrypt = timeProcess('sops', ['--disable-version-check', '--decrypt', encPath]);
  const oursDecrypt = timeProcess(kustodian, ['sops', 'decrypt', encPath]);
  const sopsEncrypt = timeProcess('sops', [
    '--disable-version-check',
    '--encrypt',
    '--age',
    recipient,
    plainPath,
  ]);
  const oursEncrypt = timeProcess(kustodian, ['sops', 'encrypt', '--age', recipient, plainPath]);
  const libDecrypt = await timeAsync(() => decryptFile(bytes, { format, keySources }));
  const libEncrypt = await timeAsync(() =>
    encryptFile(Buffer.from(plain), {
      format,
      keySources,
      keyGroups: [[{ type: 'age', id: recipient }]],
    }),
  );

  const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1)).padStart(8);
  const row = (what: string, ours: number, theirs: number) =>
    `  ${what.padEnd(32)} ours ${ms(ours)} ms   sops ${ms(theirs)} ms   ratio ${Number.isNaN(ours) ? 'n/a' : (ours / theirs).toFixed(2)}`;
  console.log(`${name} (${(plain.length / 1024).toFixed(0)} KiB, median of ${RUNS})`);
  console.log(row('decrypt, whole process', oursDecrypt, sopsDecrypt));
  console.log(row('encrypt, whole process', oursEncrypt, sopsEncrypt));
  console.log(row('decrypt, in-library vs process', libDecrypt, sopsDecrypt));
  console.log(row('encrypt, in-library vs process', libEncrypt, sopsEncrypt));
}

try {
  await bench('yaml-1000-values', 'yaml', 'yaml', yamlWith1000Values());
  await bench('dotenv-1MiB', 'dotenv', 'env', dotenv1MiB());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
