import { Command } from 'commander';

/**
 * The `kustodian` root command without subcommands: cli/program.ts adds the ones argv needs,
 * each startup snapshot (one-shot-snapshot.ts) adds its one command.
 */
export function createRootProgram(version: string): Command {
  return new Command('kustodian')
    .description(
      "GitOps for Kubernetes: Flux's GitRepository and Kustomization APIs with in-memory SOPS decryption",
    )
    .version(version, '-v, --version')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}
