import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { LoadRestrictor } from '../kustomize/index.ts';
import {
  build,
  createDiskFs,
  KustomizeError,
  loadRestrictors,
  type ReorderOption,
} from '../kustomize/index.ts';

interface KustomizeOptions {
  reorder: ReorderOption;
  loadRestrictor: LoadRestrictor;
}

/**
 * Prints what `kubectl kustomize DIR` prints. Like kubectl, the CLI reads the local disk with
 * the user's own rights: the filesystem is rooted at `/` and the load restrictor decides what
 * a kustomization may read (`../base` directories are allowed, files outside DIR are not under
 * `LoadRestrictionsRootOnly`). The controller roots its filesystem at the artifact instead.
 */
async function runKustomize(dir: string, options: KustomizeOptions): Promise<void> {
  const fs = await createDiskFs('/', { blocking: true });
  const inside = resolve(dir);
  try {
    const result = await build(fs, inside, {
      reorder: options.reorder,
      loadRestrictor: options.loadRestrictor,
    });
    process.stdout.write(result.yaml);
  } catch (error) {
    if (error instanceof KustomizeError) {
      process.stderr.write(`Error: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

export function registerKustomizeCommand(program: Command): void {
  program
    .command('kustomize')
    .description('build a kustomization directory and print the YAML, as `kubectl kustomize`')
    .argument('[dir]', 'directory holding a kustomization.yaml', '.')
    .addOption(
      new Option('--reorder <order>', 'resource order')
        .choices(['legacy', 'none'])
        .default('legacy'),
    )
    .addOption(
      new Option(
        '--load-restrictor <restrictor>',
        'whether files may be loaded from outside the kustomization',
      )
        .choices([...loadRestrictors])
        .default('LoadRestrictionsRootOnly'),
    )
    .action(async (dir: string, options: KustomizeOptions) => {
      await runKustomize(dir, options);
    });
}
