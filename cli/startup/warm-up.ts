import { join } from 'node:path';
import type { Command } from 'commander';
import { runProgram } from './run-program.ts';
import { FIXTURE } from './warm-up-fixture.ts';

/**
 * Runs the one-shot commands once on the fixture in `dir` (warm-up-fixture.ts) while the
 * startup snapshot is being built, so that the functions they need are compiled and the
 * lazily loaded parts (the strategic-merge schema, the age and YAML code) are in the heap when
 * the snapshot is taken. Only reads and decrypts: nothing that draws random numbers into a
 * pool. Their output goes to the builder's stdout, which bin/bundle.js discards.
 */
export async function warmUp(dir: string, createProgram: () => Command): Promise<void> {
  const runs = [
    ['sops', 'decrypt', join(dir, FIXTURE.encryptedYaml)],
    ['kustomize', join(dir, FIXTURE.overlay)],
    ['kustomize', '--reorder', 'none', join(dir, FIXTURE.overlay)],
  ];
  const keyFile = process.env.SOPS_AGE_KEY_FILE;
  process.env.SOPS_AGE_KEY_FILE = join(dir, FIXTURE.ageKeyFile);
  try {
    for (const args of runs) {
      await runProgram(createProgram(), ['node', 'kustodian', ...args]);
      if (process.exitCode !== undefined && process.exitCode !== 0)
        throw new Error(`warm-up run "${args.slice(0, 2).join(' ')}" failed`);
    }
  } finally {
    if (keyFile === undefined) delete process.env.SOPS_AGE_KEY_FILE;
    else process.env.SOPS_AGE_KEY_FILE = keyFile;
  }
}
