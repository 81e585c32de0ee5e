import { join } from 'node:path';
import type { Command } from 'commander';
import { runProgram } from './run-program.ts';
import { FIXTURE } from './warm-up-fixture.ts';

/** The commands that start from a startup snapshot of their own. */
export const ONE_SHOT_COMMANDS = ['sops', 'kustomize'] as const;
export type OneShotCommand = (typeof ONE_SHOT_COMMANDS)[number];

/** What each snapshot runs while it is built, on the fixture in `dir`. */
function warmUpRuns(dir: string): Record<OneShotCommand, string[][]> {
  const overlay = join(dir, FIXTURE.overlay);
  return {
    sops: [['sops', 'decrypt', join(dir, FIXTURE.encryptedYaml)]],
    kustomize: [
      ['kustomize', overlay],
      ['kustomize', '--reorder', 'none', overlay],
    ],
  };
}

/**
 * Runs `command` on the fixture in `dir` (warm-up-fixture.ts) while its startup snapshot is
 * being built, so that the functions it needs are compiled and the lazily loaded parts (the
 * strategic-merge schema, the age and YAML code) are in the heap when the snapshot is taken.
 * Only reads and decrypts: nothing that draws random numbers into a pool. The output goes to
 * the builder's stdout, which bin/build-snapshot.js discards.
 */
export async function warmUp(
  dir: string,
  command: OneShotCommand,
  createProgram: () => Command,
): Promise<void> {
  const keyFile = process.env.SOPS_AGE_KEY_FILE;
  process.env.SOPS_AGE_KEY_FILE = join(dir, FIXTURE.ageKeyFile);
  try {
    for (const args of warmUpRuns(dir)[command]) {
      await runProgram(createProgram(), ['node', 'kustodian', ...args]);
      if (process.exitCode !== undefined && process.exitCode !== 0)
        throw new Error(`warm-up run "${args.slice(0, 2).join(' ')}" failed`);
    }
  } finally {
    if (keyFile === undefined) delete process.env.SOPS_AGE_KEY_FILE;
    else process.env.SOPS_AGE_KEY_FILE = keyFile;
  }
}
