// What every startup snapshot entry does (sops-snapshot-entry.ts, kustomize-snapshot-entry.ts).
// bin/build-snapshot.js bundles each entry into a single script and runs it as
// `node --snapshot-blob dist/snapshot/<command>.blob --build-snapshot <script> <fixture dir>`.
// The heap after the warm-up, with the command's modules loaded and compiled, becomes the blob,
// and bin/kustodian.js starts `kustodian <command> …` from it: no module resolution, loading or
// compiling at run time. One blob per command: a V8 heap deserializes at a cost that grows with
// its size, so the sops blob carries no kustomize engine and the other way round.
// Code reached from here must not keep run-time state in module scope (the working directory,
// environment, a random pool): it would be frozen at build time. Node refreshes process.argv,
// process.env and the standard streams when it deserializes.
import { startupSnapshot } from 'node:v8';
import type { Command } from 'commander';
import { readPackageVersion } from '../package-version.ts';
import { createRootProgram } from './root-program.ts';
import { runProgram } from './run-program.ts';
import { type OneShotCommand, warmUp } from './warm-up.ts';

/** Sets up the snapshot of `kustodian <command>`: `register` adds the command to the root. */
export function defineOneShotSnapshot(
  command: OneShotCommand,
  register: (program: Command) => void,
): void {
  const version = readPackageVersion();
  const createProgram = () => {
    const program = createRootProgram(version);
    register(program);
    return program;
  };
  const fixture = process.argv[2];
  if (!startupSnapshot.isBuildingSnapshot() || fixture === undefined)
    throw new Error(
      `usage: node --build-snapshot ${command}-snapshot-entry.js <warm-up fixture dir>`,
    );
  // The command tree is built now, into the heap, rather than at each start (about 3 ms of a
  // run): a process runs one program once. It holds no run-time state (commander reads
  // process.stdout/stderr when it writes, not when it is built).
  let prebuilt: Command | undefined = createProgram();
  startupSnapshot.setDeserializeMainFunction(() => {
    const program = prebuilt ?? createProgram();
    prebuilt = undefined;
    // A snapshot's process.argv is [node, ...arguments]: no script path.
    return runProgram(program, ['node', 'kustodian', ...process.argv.slice(1)]);
  });
  warmUp(fixture, command, createProgram).catch((error: unknown) => {
    process.stderr.write(`snapshot warm-up failed: ${String(error)}\n`);
    process.exit(1);
  });
}
