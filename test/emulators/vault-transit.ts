import { randomUUID } from 'node:crypto';
import { startEmulator } from './emulator-process.ts';

/** A Vault dev server on loopback with the transit engine enabled and one key. */
export interface VaultTransit {
  /** http://127.0.0.1:<port> (VAULT_ADDR) */
  readonly address: string;
  /** The root token of this throwaway dev server (VAULT_TOKEN). */
  readonly token: string;
  /** Mount path of the transit engine. */
  readonly mount: string;
  /** Name of the seeded key. */
  readonly keyName: string;
  /** <address>/v1/<mount>/keys/<key>: what sops' `--hc-vault-transit` takes. */
  readonly keyUri: string;
  /** VAULT_ADDR and VAULT_TOKEN for the real sops. */
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  /** Creates another transit key (e.g. to test a key that the token may not use). */
  createKey(name: string): Promise<void>;
  stop(): Promise<void>;
}

async function isReady(port: number): Promise<boolean> {
  // 200 = initialized, unsealed and active; a dev server gets there on its own.
  const response = await fetch(`http://127.0.0.1:${port}/v1/sys/health`, {
    signal: AbortSignal.timeout(1000),
  });
  await response.body?.cancel();
  return response.status === 200;
}

/** One call to the Vault HTTP API; throws with the path and status (never the body's secrets). */
async function vaultRequest(address: string, token: string, path: string, body: unknown) {
  const response = await fetch(`${address}/v1/${path}`, {
    method: 'POST',
    headers: { 'x-vault-token': token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    const text = await response.text();
    throw new Error(`vault POST /v1/${path} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  await response.body?.cancel();
}

/**
 * Starts `vault server -dev` (the test bed builds HashiCorp Vault; OpenBao's CLI has the same
 * flags) on a free loopback port, in memory, with a random root token, then enables transit at
 * `transit/` and creates the key `sops`.
 */
export async function startVaultTransit(): Promise<VaultTransit> {
  const token = `kustodian-${randomUUID()}`;
  const running = await startEmulator({
    binary: 'vault',
    async command(port, dir) {
      return {
        args: [
          'server',
          '-dev',
          `-dev-root-token-id=${token}`,
          `-dev-listen-address=127.0.0.1:${port}`,
          // Dev mode otherwise writes the token to ~/.vault-token of whoever runs the tests.
          '-dev-no-store-token',
        ],
        env: {
          HOME: dir,
          VAULT_ADDR: `http://127.0.0.1:${port}`,
          VAULT_LOG_LEVEL: 'warn',
        },
      };
    },
    isReady,
    readyTimeoutMs: 60_000,
  });
  const address = `http://127.0.0.1:${running.port}`;
  const mount = 'transit';
  const keyName = 'sops';
  const createKey = (name: string) => vaultRequest(address, token, `${mount}/keys/${name}`, {});
  try {
    await vaultRequest(address, token, `sys/mounts/${mount}`, { type: 'transit' });
    await createKey(keyName);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return {
    address,
    token,
    mount,
    keyName,
    keyUri: `${address}/v1/${mount}/keys/${keyName}`,
    env: { VAULT_ADDR: address, VAULT_TOKEN: token },
    logPath: running.logPath,
    createKey,
    stop: () => running.stop(),
  };
}
