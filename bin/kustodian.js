#!/bin/sh
':' ||
  /*
# A POSIX sh prologue; to JavaScript, the expression `':' || 0`. `kustodian sops|kustomize …`
# starts from that command's startup snapshot (bin/build-snapshot.js) when it is newer than the
# compiled code and than the Node binary that built it (a blob loads only in that build), in
# one process: a JavaScript launcher would first boot a Node of its own. KUSTODIAN_SNAPSHOT=off
# turns it off. Everything else runs the JavaScript below, as before.
# Resolved only when it is a link (npm's bin links): readlink is a process of its own.
here=$0
[ -L "$here" ] && here=$(readlink -f -- "$here")
case $here in /*) ;; *) here=$PWD/$here ;; esac
snapshot=${here%/bin/*}/dist/snapshot
# One-shot runs start cold (a snapshot keeps no compiled code) and are short: TurboFan and early
# Maglev compiles cost more than they return there, and Maglev alone still speeds up the loops
# of large inputs. Measured: decrypting 1,000 values 84 -> 71 ms, 11,000 values 200 -> 162 ms;
# the 20-resource overlay 91 -> 75 ms, the 2,000-resource tree 1.85 -> 1.27 s. Only for the
# snapshot's Node (the bundled one): the `node` on PATH may not know these flags.
tiers='--max-opt=2 --invocation-count-for-maglev=2000 --no-maglev-osr'
case ${KUSTODIAN_SNAPSHOT-}:$1 in
off:*) ;;
*:sops | *:kustomize)
  blob=$snapshot/$1.blob
  if read -r node 2>/dev/null <"$snapshot/node" && [ -x "$node" ] && [ "$blob" -nt "$node" ] &&
    [ "$blob" -nt "$snapshot/../cli/main.js" ]; then
    exec "$node" --snapshot-blob "$blob" --max-semi-space-size=4 $tiers -- "$@"
  fi
  ;;
esac
exec node --max-semi-space-size=4 "$here" "$@"
*/ 0;

// Entry point of the `kustodian` executable. The project ships its own Node.js (the `node`
// devDependency); when an older system Node runs this file, hand over to the bundled one
// so that the compiled code always runs on the Node it was built for.
// --max-semi-space-size=4 (a small young generation) cuts the peak RSS of a large kustomize
// build by 40 % at no cost in time; V8 flags cannot be set from inside, hence the prologue.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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
  const result = spawnSync(
    bundled,
    ['--max-semi-space-size=4', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(result.status ?? 1);
}

const main = join(root, 'dist', 'cli', 'main.js');
// One-shot commands start from the single-file bundle of the build (bin/bundle.js) unless it
// is older than the compiled code, e.g. after a bare `tsc`. The long-running controller keeps
// the plain modules: its start-up time does not matter.
const bundle = join(root, 'dist', 'bundle', 'main.js');
const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;
const compiled = mtime(main);
if (compiled === undefined) {
  process.stderr.write(`kustodian is not built: run "npm run build" in ${root}\n`);
  process.exit(1);
}
const oneShot = process.argv[2] === 'sops' || process.argv[2] === 'kustomize';
const bundled = oneShot ? mtime(bundle) : undefined;
await import(bundled !== undefined && bundled >= compiled ? bundle : main);
