import { enableCompileCache } from 'node:module';
import { runProgram } from './startup/run-program.ts';

// Cache compiled code between runs (in the OS temp dir): most of a one-shot run is startup.
enableCompileCache();

// Entry point: parse argv and map uncaught failures to a message and exit code, never a stack
// trace with possibly sensitive context. `kustodian sops|kustomize …` usually starts from that
// command's startup snapshot instead (cli/startup/one-shot-snapshot.ts), which runs the same
// program.
const { buildProgram } = await import('./program.ts');
await runProgram(await buildProgram(process.argv), process.argv);
