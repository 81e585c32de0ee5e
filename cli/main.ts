import { enableCompileCache } from 'node:module';

// Cache compiled code between runs (in the OS temp dir): most of a one-shot run is startup.
enableCompileCache();

// Entry point: parse argv and map uncaught failures to a message and exit code, never a stack
// trace with possibly sensitive context.
const { buildProgram } = await import('./program.ts');
const program = await buildProgram(process.argv);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kustodian: ${message}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
}
