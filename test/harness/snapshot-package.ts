import { chmodSync, copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSnapshot } from '../../bin/build-snapshot.js';

const repo = join(import.meta.dirname, '..', '..');

/**
 * Lays out a package like the shipped one under `<dir>/pkg` (bin/kustodian.js, package.json,
 * node_modules, a dist/cli/main.js that runs the sources, and dist/snapshot/ built from the
 * sources), so tests run the launcher's snapshot path without a full build. Returns the path
 * of its bin/kustodian.js.
 */
export async function createSnapshotPackage(dir: string): Promise<string> {
  const pkg = join(dir, 'pkg');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  mkdirSync(join(pkg, 'dist', 'cli'), { recursive: true });
  const bin = join(pkg, 'bin', 'kustodian.js');
  copyFileSync(join(repo, 'bin', 'kustodian.js'), bin);
  chmodSync(bin, 0o755);
  copyFileSync(join(repo, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(repo, 'node_modules'), join(pkg, 'node_modules'));
  await writeFile(
    join(pkg, 'dist', 'cli', 'main.js'),
    `await import(${JSON.stringify(join(repo, 'cli', 'main.ts'))});\n`,
  );
  await buildSnapshot({ root: repo, ext: 'ts', out: join(pkg, 'dist', 'snapshot') });
  return bin;
}
