import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTransport } from '../../controllers/apply/index.ts';
import { requestServiceAccountToken } from '../../controllers/kustomize/identity/index.ts';
import { serviceAccountIssuer } from '../emulators/index.ts';
import { sopsEncryptWith } from '../kustomize-controller/kustomize-env.ts';
import { type AzureFixture, startAzureFixture } from '../sops-azure/azure-fixtures.ts';
import { type RunningCloudController, startCloudController } from './cloud-controller.ts';
import { CloudFleet, configMapYaml, createServiceAccounts, secretYaml } from './cloud-fleet.ts';
import { withProcessEnv } from './process-env.ts';

const password = 'never-shown-azure-wi-s3cret';

let fleet: CloudFleet;
let azure: AzureFixture;
let controller: RunningCloudController;
/** The Entra application the `decryptor` ServiceAccount is federated with. */
const clientId = randomUUID();
/** The Entra application of the controller's own ServiceAccount (controller-level identity). */
const controllerClientId = randomUUID();
let scratch: string;

beforeAll(async () => {
  [fleet, azure] = await Promise.all([CloudFleet.start('ks-az-wi'), startAzureFixture()]);
  const { env } = fleet;
  // The federated credential Azure Workload Identity sets up: this cluster's issuer and key,
  // and the subject of one ServiceAccount.
  const { issuer, publicKeys } = await serviceAccountIssuer(env.kubeConfig);
  const publicKey = publicKeys[0];
  if (!publicKey) throw new Error('the test apiserver publishes no signing key');
  azure.server.registerFederatedCredential(clientId, {
    issuer,
    subject: `system:serviceaccount:${env.namespace}:decryptor`,
    publicKey,
  });
  azure.server.registerFederatedCredential(controllerClientId, {
    issuer,
    subject: `system:serviceaccount:${env.namespace}:kustomize-controller`,
    publicKey,
  });
  scratch = await mkdtemp(join(tmpdir(), 'kustodian-azure-wi-'));
  const tenantId = azure.server.tenantId;
  const federated = {
    'azure.workload.identity/tenant-id': tenantId,
    'azure.workload.identity/client-id': clientId,
  };
  await createServiceAccounts(env, {
    decryptor: federated,
    impostor: federated,
    'no-client': { 'azure.workload.identity/tenant-id': tenantId },
    'kustomize-controller': {},
  });
  controller = await startCloudController(env, {
    services: {
      azure: {
        agent: azure.server.agent,
        authorityHost: azure.server.authorityHost,
        timeoutMs: 10_000,
      },
    },
    workloadIdentity: { objectLevel: true, timeoutMs: 10_000 },
  });
}, 180_000);

afterAll(async () => {
  await controller?.stop();
  await azure?.server.stop();
  await fleet?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A Kustomization of its own reading one Secret (`<name>-db`) encrypted for Key Vault and a ConfigMap. */
async function reconcileFleet(name: string, serviceAccountName?: string): Promise<string> {
  const encrypted = await sopsEncryptWith(
    secretYaml(`${name}-db`, password),
    ['--azure-kv', azure.keyUrl],
    azure.sopsEnv('secret'),
  );
  return fleet.publish(
    name,
    { 'secret.yaml': encrypted, 'cm.yaml': configMapYaml(`${name}-cm`) },
    serviceAccountName ? { serviceAccountName } : {},
  );
}

describe('spec.decryption.serviceAccountName with Azure Workload Identity, against a local Azure Key Vault + Entra wire-format server', () => {
  it('decrypts: TokenRequest token → Entra client-assertion exchange → Key Vault', async () => {
    const revision = await reconcileFleet('by-sa', 'decryptor');
    await fleet.waitApplied('by-sa', revision);
    expect(await fleet.secretPassword('by-sa-db')).toBe(password);
    expect(azure.server.log).toContain(`token ${clientId} federated`);
  });

  it.each([
    {
      name: 'a ServiceAccount without a federated credential is refused by Entra',
      ks: 'impostor',
      want: 'AADSTS',
    },
    {
      name: 'a ServiceAccount without the client-id annotation is refused naming it',
      ks: 'no-client',
      want: "/no-client': azure client ID is not set in the annotation azure.workload.identity/client-id",
    },
  ])('$name, and nothing is applied', async ({ ks, want }) => {
    await reconcileFleet(ks, ks);
    const message = await fleet.waitDecryptionFailed(ks);
    expect(message).toContain(want);
    expect(message).toContain(azure.server.vaultUrl);
    expect(message).not.toContain(password);
    // No ServiceAccount token (a JWT) in the status.
    expect(message).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(await fleet.exists('ConfigMap', `${ks}-cm`)).toBe(false);
  });

  it('decrypts with the controller identity from the Azure Workload Identity environment (AZURE_FEDERATED_TOKEN_FILE)', async () => {
    // What the Azure Workload Identity webhook injects into the controller pod.
    const token = await requestServiceAccountToken(
      createKubeTransport(fleet.env.kubeConfig),
      { namespace: fleet.env.namespace, name: 'kustomize-controller' },
      { audiences: ['api://AzureADTokenExchange'] },
    );
    const tokenFile = join(scratch, 'azure-token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const injected = {
      AZURE_TENANT_ID: azure.server.tenantId,
      AZURE_CLIENT_ID: controllerClientId,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      AZURE_AUTHORITY_HOST: azure.server.authorityHost,
      AZURE_CLIENT_SECRET: undefined,
      AZURE_CLIENT_CERTIFICATE_PATH: undefined,
    };
    await withProcessEnv(injected, async () => {
      const revision = await reconcileFleet('controller-identity');
      await fleet.waitApplied('controller-identity', revision);
      expect(await fleet.secretPassword('controller-identity-db')).toBe(password);
      expect(azure.server.log).toContain(`token ${controllerClientId} federated`);
    });
  });
});
