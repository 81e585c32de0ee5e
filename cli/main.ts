import { buildProgram } from './program.ts';

// Entry point: parse argv and map uncaught failures to a message and exit code, never a stack
// trace with possibly sensitive context.
const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kustodian: ${message}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
}
