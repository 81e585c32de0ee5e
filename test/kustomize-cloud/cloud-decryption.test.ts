import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedAddress,
  type GcpKmsWireServer,
  type LocalKms,
  type SilentServer,
  startGcpKmsWireServer,
  startLocalKms,
  startSilentServer,
  startVaultTransit,
  type VaultTransit,
} from '../emulators/index.ts';
import { waitFor } from '../harness/wait-for.ts';
import { sopsEncryptWith } from '../kustomize-controller/kustomize-env.ts';
import { type AzureFixture, startAzureFixture } from '../sops-azure/azure-fixtures.ts';
import { type RunningCloudController, startCloudController } from './cloud-controller.ts';
import { CloudFleet, configMapYaml, gcpSopsEnv, secretYaml } from './cloud-fleet.ts';

const password = 'never-shown-cloud-s3cret';

/** Deadline of one remote unwrap in these tests (production: 30 s). */
const keyServiceTimeoutMs = 2_000;

let fleet: CloudFleet;
let vault: VaultTransit;
let kms: LocalKms;
let silent: SilentServer;
let gcp: GcpKmsWireServer;
let azure: AzureFixture;
let controller: RunningCloudController;

beforeAll(async () => {
  [fleet, vault, kms, silent, gcp, azure] = await Promise.all([
    CloudFleet.start('ks-cloud'),
    startVaultTransit(),
    startLocalKms(),
    startSilentServer(),
    startGcpKmsWireServer(),
    startAzureFixture(),
  ]);
  controller = await startCloudController(fleet.env, {
    services: {
      vault: { timeoutMs: keyServiceTimeoutMs, maxAttempts: 2 },
      aws: { endpoint: kms.endpoint, timeoutMs: keyServiceTimeoutMs, maxAttempts: 2 },
      gcp: { endpoint: gcp.endpoint, timeoutMs: keyServiceTimeoutMs, maxAttempts: 2 },
      // The vault's `.test` host is reached through the server's agent, which trusts its CA.
      azure: {
        agent: azure.server.agent,
        authorityHost: azure.server.authorityHost,
        timeoutMs: 10_000,
      },
    },
  });
}, 180_000);

afterAll(async () => {
  await controller?.stop();
  await Promise.all([
    vault?.stop(),
    kms?.stop(),
    silent?.stop(),
    gcp?.stop(),
    azure?.server.stop(),
  ]);
  await fleet?.stop();
});

/** Failed runs of a Kustomization, from the controller's log. */
function failedRuns(name: string): number {
  return controller.logs.filter(
    (line) => line.includes('"reason":"DecryptionFailed"') && line.includes(`"name":"${name}"`),
  ).length;
}

/** Waits for a second failed run of `name`: retried at retryInterval. */
async function waitForRetry(name: string): Promise<void> {
  await waitFor(`a retry of ${name}`, async () => (failedRuns(name) >= 2 ? true : undefined), {
    timeoutMs: 30_000,
  });
}

/**
 * Publishes `encrypted` (Secret `<name>-db`) for Kustomization `name`, decrypting with Secret
 * `<name>-keys` holding `keys`; waits until applied and returns the decrypted password.
 */
async function appliedPassword(
  name: string,
  encrypted: string,
  keys: Record<string, string>,
): Promise<string | undefined> {
  await fleet.createSecret(`${name}-keys`, keys);
  const revision = await fleet.publish(
    name,
    { 'secret.yaml': encrypted },
    { secretRef: { name: `${name}-keys` } },
  );
  await fleet.waitApplied(name, revision);
  return fleet.secretPassword(`${name}-db`);
}

describe('Kustomization decryption with remote key services', () => {
  it('decrypts a Secret encrypted for Vault transit with the sops.vault-token entry', async () => {
    const encrypted = await sopsEncryptWith(
      secretYaml('vault-db', password),
      ['--hc-vault-transit', vault.keyUri],
      { ...process.env, ...vault.env },
    );
    const keys = { 'sops.vault-token': `${vault.token}\n` };
    expect(await appliedPassword('vault', encrypted, keys)).toBe(password);
  });

  it('decrypts a Secret encrypted for AWS KMS (local-kms) with the sops.aws-kms entry', async () => {
    const encrypted = await sopsEncryptWith(
      secretYaml('aws-db', password),
      ['--kms', kms.keyArn, '--encryption-context', 'app:kustodian'],
      { ...process.env, ...kms.env },
    );
    const keys = {
      'sops.aws-kms': `aws_access_key_id: ${kms.credentials.accessKeyId}\naws_secret_access_key: ${kms.credentials.secretAccessKey}\n`,
    };
    expect(await appliedPassword('aws', encrypted, keys)).toBe(password);
  });

  it('decrypts a Secret encrypted for GCP KMS with the sops.gcp-kms entry (service-account JSON), against a local GCP KMS wire-format server', async () => {
    const encrypted = await sopsEncryptWith(
      secretYaml('gcp-db', password),
      ['--gcp-kms', gcp.keyName],
      gcpSopsEnv(gcp),
    );
    const keys = { 'sops.gcp-kms': gcp.serviceAccount.json };
    expect(await appliedPassword('gcp', encrypted, keys)).toBe(password);
  });

  it('decrypts a Secret encrypted for Azure Key Vault with the sops.azure-kv entry (client secret), against a local Azure Key Vault wire-format server', async () => {
    const encrypted = await sopsEncryptWith(
      secretYaml('azure-db', password),
      ['--azure-kv', azure.keyUrl],
      azure.sopsEnv('secret'),
    );
    const keys = {
      'sops.azure-kv': JSON.stringify({
        tenantId: azure.server.tenantId,
        clientId: azure.secretClient.clientId,
        clientSecret: azure.secretClient.clientSecret,
      }),
    };
    expect(await appliedPassword('azure', encrypted, keys)).toBe(password);
    expect(azure.server.log).toContainEqual(
      expect.stringContaining(`token ${azure.secretClient.clientId} secret`),
    );
  });

  it('refuses a bad sops.aws-kms entry by name, without its content, and applies nothing', async () => {
    const encrypted = await sopsEncryptWith(
      secretYaml('bad-aws-db', password),
      ['--kms', kms.keyArn],
      { ...process.env, ...kms.env },
    );
    await fleet.createSecret('bad-aws-keys', {
      'sops.aws-kms': `aws_session_token: ${password}\n`,
    });
    await fleet.publish(
      'bad-aws',
      { 'secret.yaml': encrypted, 'cm.yaml': configMapYaml('bad-aws-cm') },
      { secretRef: { name: 'bad-aws-keys' } },
    );
    const message = await fleet.waitDecryptionFailed('bad-aws');
    expect(message).toContain("'sops.aws-kms'");
    expect(message).toContain('aws_access_key_id');
    expect(message).not.toContain(password);
    expect(await fleet.exists('ConfigMap', 'bad-aws-cm')).toBe(false);
  });

  // The MAC covers the values, not the key metadata: pointing vault_address elsewhere keeps the
  // file valid while sending the unwrap to a service that is down or hangs.
  it.each([
    { name: 'a Vault that is down', kind: 'down' as const },
    { name: 'a Vault that hangs', kind: 'hung' as const },
  ])(
    '$name gives a DecryptionFailed naming it (timed out when hung), a retry, and applies nothing',
    async ({ kind }) => {
      const address = kind === 'hung' ? silent.address : await closedAddress();
      const encrypted = await sopsEncryptWith(
        secretYaml(`${kind}-db`, password),
        ['--hc-vault-transit', vault.keyUri],
        { ...process.env, ...vault.env },
      );
      const moved = encrypted.replaceAll(vault.address, address);
      expect(moved).toContain(`vault_address: ${address}`);
      await fleet.createSecret(`${kind}-keys`, { 'sops.vault-token': vault.token });
      const name = `vault-${kind}`;
      const before = silent.connections.length;
      const started = Date.now();
      await fleet.publish(
        name,
        { 'secret.yaml': moved, 'cm.yaml': configMapYaml(`${kind}-cm`) },
        { secretRef: { name: `${kind}-keys` } },
      );
      const message = await fleet.waitDecryptionFailed(name, 30_000);
      expect(message).toContain('secret.yaml');
      expect(message).toContain(address);
      expect(message).not.toContain(vault.token);
      if (kind === 'down') expect(message).toContain('could not connect');
      if (kind === 'hung') {
        expect(message).toMatch(/timed out|no answer within|deadline/i);
        // Bounded by the key service deadline, not by the hung peer.
        expect(Date.now() - started).toBeLessThan(25_000);
        expect(silent.connections.length).toBeGreaterThan(before);
      }
      await waitForRetry(name);
      expect(await fleet.exists('ConfigMap', `${kind}-cm`)).toBe(false);
      expect(await fleet.exists('Secret', `${kind}-db`)).toBe(false);
    },
  );
});

describe('a cloud KMS endpoint that hangs', () => {
  beforeAll(async () => {
    // The same controller, its AWS KMS and GCP KMS endpoints now pointing at a silent peer.
    await controller.stop();
    controller = await startCloudController(fleet.env, {
      services: {
        aws: { endpoint: silent.address, timeoutMs: keyServiceTimeoutMs, maxAttempts: 2 },
        gcp: { endpoint: silent.address, timeoutMs: keyServiceTimeoutMs, maxAttempts: 2 },
      },
    });
  });

  it.each([
    { name: 'AWS KMS', provider: 'aws' as const },
    { name: 'GCP KMS', provider: 'gcp' as const },
  ])(
    '$name gives a timed-out DecryptionFailed, a retry, and applies nothing',
    async ({ provider }) => {
      const plaintext = secretYaml(`${provider}-hung-db`, password);
      const encrypted =
        provider === 'aws'
          ? await sopsEncryptWith(plaintext, ['--kms', kms.keyArn], {
              ...process.env,
              ...kms.env,
            })
          : await sopsEncryptWith(plaintext, ['--gcp-kms', gcp.keyName], gcpSopsEnv(gcp));
      const name = `${provider}-hung`;
      const before = silent.connections.length;
      const started = Date.now();
      await fleet.publish(
        name,
        { 'secret.yaml': encrypted, 'cm.yaml': configMapYaml(`${name}-cm`) },
        { secretRef: { name: provider === 'aws' ? 'aws-keys' : 'gcp-keys' } },
      );
      const message = await fleet.waitDecryptionFailed(name, 30_000);
      expect(message).toContain(provider === 'aws' ? kms.keyArn : gcp.keyName);
      expect(message).toMatch(/timed out|no answer within|deadline/i);
      expect(message).not.toContain(password);
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(silent.connections.length).toBeGreaterThan(before);
      await waitForRetry(name);
      expect(await fleet.exists('ConfigMap', `${name}-cm`)).toBe(false);
      expect(await fleet.exists('Secret', `${provider}-hung-db`)).toBe(false);
    },
  );
});
