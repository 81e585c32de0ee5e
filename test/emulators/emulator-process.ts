import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findFreePort,
  type ManagedProcess,
  startManagedProcess,
  testbedBinDir,
  testbedCacheDir,
} from '../testbed/index.ts';

/** An emulator process on a loopback port with its own scratch directory. */
export interface RunningEmulator {
  readonly port: number;
  /** Scratch directory (data, seed files, log); removed by stop(). */
  readonly dir: string;
  readonly logPath: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export interface EmulatorSpec {
  /** The binary's name in the test bed's bin directory, e.g. `local-kms`. */
  binary: string;
  /** Prepares files in `dir` if needed and returns how to run the emulator on `port`. */
  command(port: number, dir: string): Promise<{ args: string[]; env?: NodeJS.ProcessEnv }>;
  /** Resolves true once the emulator answers on `port`. */
  isReady(port: number): Promise<boolean>;
  readyTimeoutMs?: number;
}

/** Raised when an emulator is not built or does not come up; names the log that says why. */
export class EmulatorStartError extends Error {
  readonly logPath: string;
  constructor(message: string, logPath: string) {
    super(message);
    this.name = 'EmulatorStartError';
    this.logPath = logPath;
  }
}

/** The emulator binary built by test/testbed/install-emulators.sh, or a clear error. */
export function emulatorBinary(name: string): string {
  const path = join(testbedBinDir(), name);
  if (!existsSync(path)) {
    const log = join(testbedCacheDir(), 'logs', `${name}.log`);
    throw new EmulatorStartError(
      `${name} is not built: run test/testbed/install-emulators.sh ${name} (build log: ${log})`,
      log,
    );
  }
  return path;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-8).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Attempt = { kind: 'ready' } | { kind: 'exited' } | { kind: 'timeout' };

async function waitUntilReady(proc: ManagedProcess, spec: EmulatorSpec, port: number) {
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (proc.hasExited()) return { kind: 'exited' } satisfies Attempt;
    if (await spec.isReady(port).catch(() => false)) return { kind: 'ready' } satisfies Attempt;
    await sleep(100);
  }
  return { kind: 'timeout' } satisfies Attempt;
}

/**
 * Starts an emulator on a free loopback port with a fresh scratch directory and waits until it
 * answers. Another process may take the port between the lookup and the bind, so an emulator
 * that exits at once is tried again on a new port (three times in all).
 */
export async function startEmulator(spec: EmulatorSpec): Promise<RunningEmulator> {
  const binary = emulatorBinary(spec.binary);
  const dir = await mkdtemp(join(tmpdir(), `kustodian-${spec.binary}-`));
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const logPath = join(dir, `${spec.binary}-${attempt}.log`);
    const { args, env } = await spec.command(port, dir);
    const proc = startManagedProcess(spec.binary, binary, args, {
      logPath,
      env: { ...process.env, ...env },
      cwd: dir,
    });
    const outcome = await waitUntilReady(proc, spec, port);
    if (outcome.kind === 'ready') {
      return {
        port,
        dir,
        logPath,
        process: proc,
        async stop() {
          await proc.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await proc.stop();
    if (outcome.kind === 'exited' && attempt < 3) continue;
    const why = outcome.kind === 'exited' ? 'exited before it was ready' : 'was not ready in time';
    throw new EmulatorStartError(
      `${spec.binary} ${why} on 127.0.0.1:${port}; log ${logPath}:\n${logTail(logPath)}`,
      logPath,
    );
  }
}
