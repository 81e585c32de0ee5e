import { createRequire, enableCompileCache } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { startupSnapshot } from 'node:v8';

/**
 * The `--snapshot-blob` path this process started from, if any (`dist/snapshot/<blob>` in the
 * package, as bin/bundle.js writes it).
 */
export function snapshotBlobPath(execArgv: readonly string[]): string | undefined {
  const at = execArgv.indexOf('--snapshot-blob');
  if (at >= 0) return execArgv[at + 1];
  return execArgv.find((arg) => arg.startsWith('--snapshot-blob='))?.slice(16);
}

/**
 * Loads a package from the kustodian package's node_modules at run time. Code in a startup
 * snapshot has no module loader behind it (`import()` fails there), so the packages our code
 * imports dynamically, which bin/build-snapshot.js keeps out of the snapshot (OpenPGP, the cloud
 * SDKs, post-quantum age), are required from the package that holds the blob; Node ≥ 22
 * requires ES modules too.
 */
export function requireFromPackage(id: string): unknown {
  // Loading packages while the snapshot is built would crash Node; fail with a message.
  if (startupSnapshot.isBuildingSnapshot())
    throw new Error(`${id} must not be loaded while the startup snapshot is built`);
  const blob = snapshotBlobPath(process.execArgv);
  if (blob === undefined) throw new Error(`cannot load ${id}: not started from a startup snapshot`);
  // As cli/main.ts does for the modules: these packages are large to compile.
  enableCompileCache();
  return createRequire(join(dirname(resolve(blob)), '..', '..', 'package.json'))(id);
}
