import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testbedBinDir } from './paths.ts';

/** install.sh sits beside this file in the source tree; compiled code runs from dist/test/testbed. */
function findInstallScript(): string {
  for (const candidate of ['./install.sh', '../../../test/testbed/install.sh']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('test/testbed/install.sh not found beside the test bed code');
}

export interface InstallOptions {
  /** Receives the script's progress lines (stderr), e.g. to show them to a person. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** Also build the cloud KMS emulators (a long first build); only their tests need them. */
  withEmulators?: boolean;
}

/**
 * Builds or finds the test bed's binaries by running install.sh, which caches them by version
 * under a file lock. Fast (well under a second) when everything is cached.
 */
export async function ensureTestbedBinaries(options: InstallOptions = {}): Promise<string> {
  const installScript = findInstallScript();
  const child = spawn('bash', [installScript], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env:
      options.withEmulators === false
        ? { ...process.env, KUSTODIAN_SKIP_EMULATORS: '1' }
        : process.env,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const errLines: string[] = [];
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      errLines.push(line);
      options.onProgress?.(line);
    }
  });
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const tail = [...errLines, pending].filter(Boolean).slice(-15).join('\n');
    throw new Error(`test bed install failed (exit ${code}) running ${installScript}:\n${tail}`);
  }
  return testbedBinDir();
}
