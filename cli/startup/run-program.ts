import type { Command } from 'commander';

/**
 * Runs the parsed command line and maps an uncaught failure to a one-line message and a
 * non-zero exit code: never a stack trace with possibly sensitive context. Shared by the
 * module entry (cli/main.ts) and the startup snapshots (one-shot-snapshot.ts).
 */
export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kustodian: ${message}\n`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
  }
}
