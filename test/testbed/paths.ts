import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the test bed caches its built parts. Must match test/testbed/install.sh, which builds
 * them: `$KUSTODIAN_CACHE`, else `$XDG_CACHE_HOME/kustodian/testbed`, else `~/.cache/...`.
 */
export function testbedCacheDir(): string {
  const explicit = process.env.KUSTODIAN_CACHE;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'kustodian', 'testbed');
}

/** The directory holding `kube-apiserver`, `etcd`, `sops`, `age` and `age-keygen`. */
export function testbedBinDir(): string {
  return join(testbedCacheDir(), 'bin');
}

/** PATH with the test bed's binaries first, so tests run the real, pinned tools. */
export function pathWithTestbed(path = process.env.PATH ?? ''): string {
  const bin = testbedBinDir();
  return path.split(':').includes(bin) ? path : `${bin}:${path}`;
}
