#!/usr/bin/env node
// Entry point of the `kustodian` executable. The project ships its own Node.js (the `node`
// devDependency); when an older system Node runs this file, hand over to the bundled one
// so that the compiled code always runs on the Node it was built for.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const major = Number(process.versions.node.split('.')[0]);

if (major < 24) {
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled)) {
    process.stderr.write(
      `kustodian needs Node.js 24 or newer (this is ${process.version}); run "npm ci" in ${root} to install the bundled Node.js\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}

const main = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`kustodian is not built: run "npm run build" in ${root}\n`);
  process.exit(1);
}
await import(main);
