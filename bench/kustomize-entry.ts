/**
 * A process that runs only `kustodian kustomize`, without loading the other subcommands: what
 * the engine costs as a process, for the benchmark (the full CLI loads every command up front).
 */
import { Command } from 'commander';
import { registerKustomizeCommand } from '../cli/kustomize-command.ts';

const program = new Command('kustodian');
registerKustomizeCommand(program);
await program.parseAsync(process.argv);
