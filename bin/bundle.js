// Build step after `tsc`: bundles dist/cli/main.js into dist/bundle/ so that a one-shot
// `kustodian sops …` or `kustodian kustomize …` reads a few files instead of resolving and
// compiling hundreds of small modules (about a third of such a run). The commands stay lazily
// loaded: every dynamic import becomes its own chunk. Usage: `node bin/bundle.js [distDir]`.
// Without the bundle, bin/kustodian.js runs dist/cli/main.js, so a failure here only costs
// speed: it is reported and the build goes on. Then it builds the startup snapshot of the
// one-shot commands into dist/snapshot/ (bin/build-snapshot.js), with the same fallback.
import { renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dist = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'dist'));
const out = join(dist, 'bundle');
// Written aside and renamed into place, so that no half-written bundle is ever run.
const staging = join(dist, 'bundle.tmp');
rmSync(out, { recursive: true, force: true });
rmSync(staging, { recursive: true, force: true });
try {
  const { build } = await import('rolldown');
  await build({
    input: join(dist, 'cli', 'main.js'),
    platform: 'node',
    logLevel: 'warn',
    // Large libraries that only the controller, the demo or PGP keys load stay in node_modules.
    // Cloud SDKs are imported lazily and some of them read __dirname: they load from
    // node_modules when a file names such a key.
    external: [
      '@aws-sdk/client-kms',
      '@aws-sdk/client-sts',
      '@aws-sdk/credential-provider-web-identity',
      '@azure/identity',
      '@azure/keyvault-keys',
      '@google-cloud/kms',
      'google-auth-library',
      '@kubernetes/client-node',
      'openpgp',
      'pino',
      'prom-client',
      'simple-git',
      'tar',
    ],
    // Two levels below the package root, like dist/cli/, so package.json is found the same way.
    output: { dir: staging, format: 'esm' },
  });
  renameSync(staging, out);
} catch (error) {
  rmSync(staging, { recursive: true, force: true });
  process.stderr.write(
    `bundle skipped (kustodian runs unbundled, only slower to start): ${error instanceof Error ? error.message : String(error)}\n`,
  );
}

// The startup snapshot of the one-shot commands (bin/build-snapshot.js); without it they start
// from the bundle above.
const snapshot = join(dist, 'snapshot');
rmSync(snapshot, { recursive: true, force: true });
try {
  const { buildSnapshot } = await import('./build-snapshot.js');
  await buildSnapshot({ root: dist, ext: 'js', out: snapshot });
} catch (error) {
  process.stderr.write(
    `startup snapshot skipped (one-shot commands start from the bundle, only slower): ${error instanceof Error ? error.message : String(error)}\n`,
  );
}
