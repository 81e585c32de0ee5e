import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testbedBinDir } from './paths.ts';

const installScript = fileURLToPath(new URL('./install.sh', import.meta.url));

export interface InstallOptions {
  /** Receives the script's progress lines (stderr), e.g. to show them to a person. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Builds or finds the test bed's binaries by running install.sh, which caches them by version
 * under a file lock. Fast (well under a second) when everything is cached.
 */
export async function ensureTestbedBinaries(options: InstallOptions = {}): Promise<string> {
  const child = spawn('bash', [installScript], {
    stdio: ['ignore', 'pipe', 'pipe'],
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
