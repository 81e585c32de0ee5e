// Entry of the startup snapshot of the one-shot commands (`kustodian sops …`,
// `kustodian kustomize …`), bundled by bin/build-snapshot.js into a single script and run as
// `node --snapshot-blob dist/snapshot/kustodian.blob --build-snapshot <script> <fixture dir>`.
// The heap after the warm-up below, with our modules loaded and compiled, becomes the blob, and
// bin/kustodian.js starts from it: no module resolution, loading or compiling at run time.
// Code reached from here must not keep run-time state in module scope (the working
// directory, environment, a random pool): it would be frozen at build time. Node refreshes
// process.argv, process.env and the standard streams when it deserializes.
import { startupSnapshot } from 'node:v8';
import { registerKustomizeCommand } from '../kustomize-command.ts';
import { readPackageVersion } from '../package-version.ts';
import { registerSopsCommand } from '../sops-command.ts';
import { createRootProgram } from './root-program.ts';
import { runProgram } from './run-program.ts';
import { warmUp } from './warm-up.ts';

const version = readPackageVersion();

function createOneShotProgram() {
  const program = createRootProgram(version);
  registerSopsCommand(program);
  registerKustomizeCommand(program);
  return program;
}

const fixture = process.argv[2];
if (!startupSnapshot.isBuildingSnapshot() || fixture === undefined)
  throw new Error('usage: node --build-snapshot snapshot-entry.js <warm-up fixture dir>');

startupSnapshot.setDeserializeMainFunction(() =>
  // A snapshot's process.argv is [node, ...arguments]: no script path.
  runProgram(createOneShotProgram(), ['node', 'kustodian', ...process.argv.slice(1)]),
);
warmUp(fixture, createOneShotProgram).catch((error: unknown) => {
  process.stderr.write(`snapshot warm-up failed: ${String(error)}\n`);
  process.exit(1);
});
