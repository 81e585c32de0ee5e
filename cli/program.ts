import type { Command } from 'commander';
import { readPackageVersion } from './package-version.ts';
import { createRootProgram } from './startup/root-program.ts';

type Register = (program: Command) => void;

/**
 * Every subcommand, loaded on demand: a one-shot `kustodian sops decrypt` must not pay for
 * loading the Kubernetes client and the controllers (most of a short run is module loading).
 */
const SUBCOMMANDS: Record<string, () => Promise<Register>> = {
  demo: async () => (await import('./demo-command.ts')).registerDemoCommand,
  controller: async () => (await import('./controller-command.ts')).registerControllerCommand,
  kustomize: async () => (await import('./kustomize-command.ts')).registerKustomizeCommand,
  sops: async () => (await import('./sops-command.ts')).registerSopsCommand,
};

/**
 * Builds the `kustodian` command tree for `argv`: only the named subcommand's module when
 * argv names one, none for `--version`, every subcommand otherwise (top-level help, unknown
 * commands).
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = createRootProgram(readPackageVersion());
  const named = argv[2];
  // `--version` needs no subcommand; help and unknown commands need them all to list them.
  const selected =
    named === '-v' || named === '--version'
      ? []
      : named !== undefined && named in SUBCOMMANDS
        ? [named]
        : Object.keys(SUBCOMMANDS);
  for (const name of selected) {
    const load = SUBCOMMANDS[name];
    if (load) (await load())(program);
  }
  return program;
}
