import { Command } from 'commander';
import { registerControllerCommand } from './controller-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { readPackageVersion } from './package-version.ts';

/** Builds the `kustodian` command tree; each subcommand registers itself from its own module. */
export function buildProgram(): Command {
  const program = new Command('kustodian')
    .description(
      "GitOps for Kubernetes: Flux's GitRepository and Kustomization APIs with in-memory SOPS decryption",
    )
    .version(readPackageVersion(), '-v, --version')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerDemoCommand(program);
  registerControllerCommand(program);
  return program;
}
