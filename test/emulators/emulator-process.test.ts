import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorStartError, startEmulator } from './emulator-process.ts';

let cache: string;
let savedCache: string | undefined;

beforeAll(async () => {
  // A cache of our own whose bin/ holds fake emulators (shell scripts).
  cache = await mkdtemp(join(tmpdir(), 'kustodian-emulator-process-'));
  await mkdir(join(cache, 'bin'));
  await writeFile(
    join(cache, 'bin', 'crashing-emulator'),
    '#!/bin/sh\necho "listen tcp 127.0.0.1:$1: bind: address already in use" >&2\nexit 1\n',
  );
  await writeFile(join(cache, 'bin', 'silent-emulator'), '#!/bin/sh\nexec sleep 30\n');
  await chmod(join(cache, 'bin', 'crashing-emulator'), 0o755);
  await chmod(join(cache, 'bin', 'silent-emulator'), 0o755);
  savedCache = process.env.KUSTODIAN_CACHE;
  process.env.KUSTODIAN_CACHE = cache;
});

afterAll(async () => {
  if (savedCache === undefined) delete process.env.KUSTODIAN_CACHE;
  else process.env.KUSTODIAN_CACHE = savedCache;
  await rm(cache, { recursive: true, force: true });
});

describe('startEmulator', () => {
  it('names the install command and the build log when the binary is not built', async () => {
    const start = startEmulator({
      binary: 'never-built',
      command: async () => ({ args: [] }),
      isReady: async () => true,
    });
    await expect(start).rejects.toThrow(
      `never-built is not built: run test/testbed/install-emulators.sh never-built (build log: ${join(cache, 'logs', 'never-built.log')})`,
    );
  });

  it('tries three ports when the emulator exits at once, then shows its log', async () => {
    const ports: number[] = [];
    const error = await startEmulator({
      binary: 'crashing-emulator',
      async command(port) {
        ports.push(port);
        return { args: [String(port)] };
      },
      isReady: async () => false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorStartError);
    expect(ports).toHaveLength(3);
    const message = (error as EmulatorStartError).message;
    expect(message).toContain('crashing-emulator exited before it was ready');
    expect(message).toContain(`127.0.0.1:${ports[2]}: bind: address already in use`);
    // The log is kept for the person reading the error; the test removes it once read.
    const { logPath } = error as EmulatorStartError;
    expect(existsSync(logPath)).toBe(true);
    await rm(dirname(logPath), { recursive: true, force: true });
  });

  it('stops an emulator that never becomes ready and says so', async () => {
    const error = await startEmulator({
      binary: 'silent-emulator',
      command: async () => ({ args: [] }),
      isReady: async () => false,
      readyTimeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorStartError);
    expect((error as Error).message).toMatch(
      /silent-emulator was not ready in time on 127\.0\.0\.1:\d+/,
    );
    await rm(dirname((error as EmulatorStartError).logPath), { recursive: true, force: true });
  });
});
