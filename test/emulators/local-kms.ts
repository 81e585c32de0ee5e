import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startEmulator } from './emulator-process.ts';

/** A running local-kms (AWS KMS emulator) with one seeded symmetric key and an alias. */
export interface LocalKms {
  /** http://127.0.0.1:<port>; pass it to the SDK as `endpoint`. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly keyId: string;
  /** arn:aws:kms:<region>:<account>:key/<id>: what sops' `--kms` takes. */
  readonly keyArn: string;
  /** alias/<name> */
  readonly aliasName: string;
  readonly aliasArn: string;
  /** Any values work: local-kms checks no signature. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Environment that points the AWS SDK for Go (and so the real sops) at this emulator. */
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  stop(): Promise<void>;
}

export interface LocalKmsOptions {
  region?: string;
  accountId?: string;
}

async function isReady(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.ListAliases',
    },
    body: '{}',
    signal: AbortSignal.timeout(1000),
  });
  await response.body?.cancel();
  return response.status === 200;
}

/**
 * Starts local-kms on a free loopback port with a temporary data directory and a seed of one
 * AES key (fresh random backing key per start) and `alias/kustodian-test`.
 *
 * local-kms listens on all interfaces and has no option to bind loopback only; we only ever
 * call it on 127.0.0.1, and its keys are throwaway.
 */
export async function startLocalKms(options: LocalKmsOptions = {}): Promise<LocalKms> {
  const region = options.region ?? 'eu-west-2';
  const accountId = options.accountId ?? '111122223333';
  const keyId = randomUUID();
  const aliasName = 'alias/kustodian-test';
  const running = await startEmulator({
    binary: 'local-kms',
    async command(port, dir) {
      const seedPath = join(dir, 'seed.yaml');
      const seed = {
        Keys: {
          Symmetric: {
            Aes: [
              {
                Metadata: { KeyId: keyId, Description: 'kustodian test key' },
                BackingKeys: [randomBytes(32).toString('hex')],
              },
            ],
          },
        },
        Aliases: [{ AliasName: aliasName, TargetKeyId: keyId }],
      };
      await writeFile(seedPath, stringify(seed), { mode: 0o600 });
      return {
        args: [],
        env: {
          PORT: String(port),
          KMS_REGION: region,
          KMS_ACCOUNT_ID: accountId,
          KMS_SEED_PATH: seedPath,
          KMS_DATA_PATH: join(dir, 'data'),
        },
      };
    },
    isReady,
  });
  const endpoint = `http://127.0.0.1:${running.port}`;
  const credentials = { accessKeyId: 'kustodian-test', secretAccessKey: 'kustodian-test' };
  return {
    endpoint,
    region,
    accountId,
    keyId,
    keyArn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
    aliasName,
    aliasArn: `arn:aws:kms:${region}:${accountId}:${aliasName}`,
    credentials,
    env: {
      AWS_ENDPOINT_URL_KMS: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      // Keep the developer's own AWS profile and the instance metadata service out of tests.
      AWS_CONFIG_FILE: join(running.dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(running.dir, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    logPath: running.logPath,
    stop: () => running.stop(),
  };
}
