import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/**
 * Builds a private copy of what users run, as `npm run build` does (tsc, then bin/bundle.js),
 * laid out like the package (bin/, dist/, package.json) under node_modules/.cache so that
 * package imports resolve, and returns its `bin/kustodian.js`. Run it as an executable: its
 * shebang carries the V8 flags. A private copy, so that a concurrent build of the shared dist/
 * cannot change what is being timed.
 */
export function buildCli(name: string): string {
  const copy = join(root, 'node_modules', '.cache', name);
  rmSync(copy, { recursive: true, force: true });
  // tsc emits despite type errors elsewhere in the shared tree.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(copy, 'dist')], {
    cwd: root,
    stdio: 'ignore',
  });
  // package.json first: the snapshot build reads the version from it.
  copyFileSync(join(root, 'package.json'), join(copy, 'package.json'));
  spawnSync(process.execPath, [join(root, 'bin', 'bundle.js'), join(copy, 'dist')], {
    stdio: 'inherit',
  });
  mkdirSync(join(copy, 'bin'));
  copyFileSync(join(root, 'bin', 'kustodian.js'), join(copy, 'bin', 'kustodian.js'));
  return join(copy, 'bin', 'kustodian.js');
}
