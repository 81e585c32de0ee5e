import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkloadIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureKeyVaultKeySource, type KeyEntry } from '../../sops/index.ts';
import type { AzureFixture, AzureScratch } from './azure-fixtures.ts';
import { createAzureScratch, PLAIN, startAzureFixture } from './azure-fixtures.ts';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const SUBJECT = 'system:serviceaccount:flux-system:kustomize-controller';

let azure: AzureFixture;
let scratch: AzureScratch;
let issuerKey: KeyObject;
const clientId = 'workload-identity-client';

/** A ServiceAccount-style token as the kubelet projects it for Azure Workload Identity. */
function federatedToken(subject: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', kid: 'test' })}.${part({
    iss: ISSUER,
    sub: subject,
    aud: ['api://AzureADTokenExchange'],
    iat: now,
    nbf: now,
    exp: now + 600,
  })}`;
  return `${input}.${sign('sha256', Buffer.from(input), issuerKey).toString('base64url')}`;
}

async function tokenFile(subject: string): Promise<string> {
  const path = join(scratch.dir, `token-${randomBytes(4).toString('hex')}`);
  await writeFile(path, federatedToken(subject));
  return path;
}

/** azidentity's workload identity variables, no client secret or certificate. */
function workloadEnv(tokenPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...azure.sopsEnv('secret'), AZURE_CLIENT_ID: clientId };
  delete env.AZURE_CLIENT_SECRET;
  return { ...env, AZURE_FEDERATED_TOKEN_FILE: tokenPath };
}

beforeAll(async () => {
  [azure, scratch] = await Promise.all([startAzureFixture(), createAzureScratch('azure-wi')]);
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  issuerKey = pair.privateKey;
  azure.server.registerFederatedCredential(clientId, {
    issuer: ISSUER,
    subject: SUBJECT,
    publicKey: pair.publicKey,
  });
});

afterAll(async () => {
  await Promise.all([azure?.server.stop(), scratch?.stop()]);
});

describe('Azure Workload Identity against a local Entra + Key Vault wire-format server', () => {
  it('kustodian and sops both use AZURE_FEDERATED_TOKEN_FILE through the default credential chain', async () => {
    const env = workloadEnv(await tokenFile(SUBJECT));
    const encrypted = await scratch.kustodian(
      ['encrypt', '--azure-kv', azure.keyUrl, 'secret.yaml'],
      env,
    );
    expect(encrypted.stderr).toBe('');
    expect(azure.server.log).toContain(`token ${clientId} federated`);
    await writeFile(join(scratch.dir, 'wi.enc.yaml'), encrypted.stdout);
    const decrypted = await scratch.sops(['decrypt', 'wi.enc.yaml'], env);
    expect(decrypted.stderr).toBe('');
    expect(decrypted.stdout).toBe(PLAIN);
  });

  it('refuses a federated token for another ServiceAccount, naming the key', async () => {
    const env = workloadEnv(await tokenFile('system:serviceaccount:default:intruder'));
    const result = await scratch.kustodian(
      ['encrypt', '--azure-kv', azure.keyUrl, 'secret.yaml'],
      env,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`azure_kv ${azure.keyUrl}: failed to encrypt the data key`);
    expect(result.stderr).toContain('AADSTS700027');
  });

  it('unwraps with a token credential the controller builds from a ServiceAccount token', async () => {
    const dataKey = randomBytes(32);
    const entry = (await azure.secretSource().wrap?.(azure.keyUrl, dataKey)) as KeyEntry;
    const credential = new WorkloadIdentityCredential({
      tenantId: azure.server.tenantId,
      clientId,
      tokenFilePath: await tokenFile(SUBJECT),
      authorityHost: azure.server.authorityHost,
      agent: azure.server.agent,
    });
    const source = azureKeyVaultKeySource({
      credentials: { kind: 'token-credential', credential },
      agent: azure.server.agent,
    });
    expect(Buffer.from(await source.unwrap(entry))).toEqual(dataKey);
  });
});
