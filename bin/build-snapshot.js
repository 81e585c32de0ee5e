// Builds the V8 startup snapshots of the one-shot commands, one per command (`kustodian sops …`,
// `kustodian kustomize …`): cli/startup/<command>-snapshot-entry bundled and minified into one
// CommonJS script (a snapshot holds a single script), run once under `node --build-snapshot`
// on a throwaway warm-up fixture, and the resulting heap written to <out>/<command>.blob.
// One blob per command, minified and without Node's code cache of its built-ins
// (strip-code-cache.js), because Node reads, copies and deserializes a blob whole at every
// start: each start pays only for its own command's code. bin/kustodian.js starts from a blob
// when it is newer than both the compiled code and the Node binary that built it (whose path is
// written to <out>/node): a blob only loads in the exact Node build that made it.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stripBuiltinCodeCache } from './strip-code-cache.js';

/** A package name, not a relative path, an absolute path or a Node built-in. */
const isPackage = (id) =>
  /^(@[\w-][\w.-]*\/)?[\w-][\w.-]*(\/|$)/.test(id) && !id.startsWith('node:');

/**
 * @param {{ root: string, ext: 'js' | 'ts', out: string }} options `root` holds cli/ and sops/
 *   (dist/ with ext 'js', or the source tree with ext 'ts'); `out` receives the blobs.
 */
export async function buildSnapshot({ root, ext, out }) {
  // The blob runs on the Node that builds it: it must be the one kustodian is made for.
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) throw new Error(`needs Node.js 24 or newer (this is ${process.version})`);
  const staging = `${out}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const fixture = mkdtempSync(join(tmpdir(), 'kustodian-warm-up-'));
  try {
    const { writeWarmUpFixture } = await import(
      join(root, 'cli', 'startup', `warm-up-fixture.${ext}`)
    );
    // The commands with a snapshot of their own: cli/startup/<command>-snapshot-entry.
    const { ONE_SHOT_COMMANDS } = await import(join(root, 'cli', 'startup', `warm-up.${ext}`));
    await writeWarmUpFixture(fixture);
    for (const command of ONE_SHOT_COMMANDS) {
      const script = join(staging, `${command}-snapshot-entry.cjs`);
      await bundleEntry({ root, ext, command, script });
      runSnapshotBuilder(script, join(staging, `${command}.blob`), fixture);
    }
    writeFileSync(join(staging, 'node'), `${process.execPath}\n`);
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(fixture, { recursive: true, force: true });
  }
}

/** Bundles cli/startup/<command>-snapshot-entry into the single script `script`. */
async function bundleEntry({ root, ext, command, script }) {
  const { build } = await import('rolldown');
  const helper = join(root, 'cli', 'startup', `package-require.${ext}`);
  await build({
    input: join(root, 'cli', 'startup', `${command}-snapshot-entry.${ext}`),
    platform: 'node',
    logLevel: 'warn',
    plugins: [
      {
        // Packages that our code imports dynamically are the optional, heavy ones (PGP, the
        // cloud SDKs, post-quantum age): they stay out of the snapshot and are required from
        // the package's node_modules when a run needs them (a snapshot has no module loader
        // for import()).
        name: 'dynamic-imports-at-run-time',
        resolveId(id, importer, { kind }) {
          const ours =
            importer?.startsWith(`${root}/`) && !relative(root, importer).includes('node_modules');
          if (kind === 'dynamic-import' && ours && isPackage(id)) return `\0runtime:${id}`;
          return undefined;
        },
        load(id) {
          if (!id.startsWith('\0runtime:')) return undefined;
          const name = JSON.stringify(id.slice('\0runtime:'.length));
          return `const { requireFromPackage } = require(${JSON.stringify(helper)});\nmodule.exports = requireFromPackage(${name});\n`;
        },
      },
    ],
    // Minified (a smaller heap to deserialize: about 8 ms of each start), with function and
    // class names kept: error names and commander's messages depend on them.
    output: { file: script, format: 'cjs', codeSplitting: false, minify: true, keepNames: true },
  });
}

/** Runs `node --build-snapshot` on `script`, warming up on `fixture`, into `blob`. */
function runSnapshotBuilder(script, blob, fixture) {
  // stderr goes to a file: Node cannot snapshot a process whose stderr is a pipe.
  const log = join(fixture, 'build-snapshot.log');
  const stderr = openSync(log, 'w');
  // Only PATH from the caller's environment, and HOME and XDG_CONFIG_HOME in the fixture: the
  // warm-up must find no key of the user's (SOPS_AGE_KEY, ~/.ssh, keys.txt, cloud
  // credentials), so that none can be read into the heap that becomes the blob.
  // With the code cache, so that V8 keeps the bytecode of what the warm-up compiled; the cache
  // of Node's built-ins is dropped afterwards (strip-code-cache.js).
  const config = join(fixture, 'snapshot-config.json');
  writeFileSync(config, JSON.stringify({ builder: script, withoutCodeCache: false }));
  const result = spawnSync(
    process.execPath,
    ['--snapshot-blob', blob, '--build-snapshot-config', config, fixture],
    {
      cwd: fixture,
      env: { PATH: process.env.PATH ?? '', HOME: fixture, XDG_CONFIG_HOME: fixture },
      stdio: ['ignore', 'ignore', stderr],
    },
  );
  closeSync(stderr);
  if (result.status !== 0) {
    // Node warns about built-ins it has not verified in snapshots; show only the failure.
    const reason = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !/Warning|may still work|issue tracker/.test(line))
      .join('\n');
    throw new Error(
      `node --build-snapshot ${relative(join(script, '..'), script)} failed: ${reason}`,
    );
  }
  dropBuiltinCodeCache(blob);
}

/**
 * Rewrites `blob` without Node's code cache of its built-ins when it can be read as expected
 * and Node starts from the result; otherwise leaves it as built (larger, equally correct).
 */
function dropBuiltinCodeCache(blob) {
  const stripped = stripBuiltinCodeCache(readFileSync(blob));
  if (stripped === undefined) return;
  const candidate = `${blob}.stripped`;
  writeFileSync(candidate, stripped);
  const check = spawnSync(process.execPath, ['--snapshot-blob', candidate, '--', '--version'], {
    encoding: 'utf8',
  });
  if (check.status === 0 && check.stdout.trim() !== '') renameSync(candidate, blob);
  else rmSync(candidate, { force: true });
}
