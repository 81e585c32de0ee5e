import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTransport } from '../../controllers/apply/index.ts';
import { requestServiceAccountToken } from '../../controllers/kustomize/identity/index.ts';
import {
  type LocalKms,
  type StsWireServer,
  startLocalKms,
  startStsWireServer,
} from '../emulators/index.ts';
import { sopsEncryptWith } from '../kustomize-controller/kustomize-env.ts';
import {
  type DecryptionSettings,
  type RunningCloudController,
  startCloudController,
} from './cloud-controller.ts';
import { CloudFleet, configMapYaml, createServiceAccounts, secretYaml } from './cloud-fleet.ts';
import { withProcessEnv } from './process-env.ts';

const password = 'never-shown-irsa-s3cret';

const decryptRole = 'arn:aws:iam::111122223333:role/fleet-decrypt';
const untrustedRole = 'arn:aws:iam::111122223333:role/not-for-you';
const controllerRole = 'arn:aws:iam::111122223333:role/kustomize-controller';

let fleet: CloudFleet;
let kms: LocalKms;
let sts: StsWireServer;
let controller: RunningCloudController;
let scratch: string;

const settings = (objectLevel: boolean): DecryptionSettings => ({
  services: { aws: { endpoint: kms.endpoint, timeoutMs: 5_000, maxAttempts: 2 } },
  workloadIdentity: { objectLevel, awsStsEndpoint: sts.endpoint, timeoutMs: 5_000 },
});

beforeAll(async () => {
  [fleet, kms] = await Promise.all([CloudFleet.start('ks-irsa'), startLocalKms()]);
  const { env } = fleet;
  const subject = (name: string) => `system:serviceaccount:${env.namespace}:${name}`;
  sts = await startStsWireServer({
    kubeConfig: env.kubeConfig,
    trust: {
      [decryptRole]: subject('decryptor'),
      [untrustedRole]: subject('somebody-else'),
      [controllerRole]: subject('kustomize-controller'),
    },
  });
  await createServiceAccounts(env, {
    decryptor: { 'eks.amazonaws.com/role-arn': decryptRole },
    untrusted: { 'eks.amazonaws.com/role-arn': untrustedRole },
    'kustomize-controller': { 'eks.amazonaws.com/role-arn': controllerRole },
  });
  scratch = await mkdtemp(join(tmpdir(), 'kustodian-irsa-'));
  controller = await startCloudController(env, settings(true));
}, 180_000);

afterAll(async () => {
  await controller?.stop();
  await Promise.all([kms?.stop(), sts?.stop()]);
  await fleet?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A Kustomization of its own reading one encrypted Secret (`<name>-db`) and a ConfigMap. */
async function reconcileFleet(name: string, decryption: Record<string, unknown>) {
  // Encrypted for the KMS key only: no static key can open it.
  const encrypted = await sopsEncryptWith(
    secretYaml(`${name}-db`, password),
    ['--kms', kms.keyArn],
    {
      ...process.env,
      ...kms.env,
    },
  );
  return fleet.publish(
    name,
    { 'secret.yaml': encrypted, 'cm.yaml': configMapYaml(`${name}-cm`) },
    decryption,
  );
}

describe('spec.decryption.serviceAccountName against local-kms and a local AWS STS wire-format server', () => {
  it('decrypts with the ServiceAccount: TokenRequest token → STS role credentials → KMS', async () => {
    const before = sts.exchanges.length;
    const revision = await reconcileFleet('by-sa', { serviceAccountName: 'decryptor' });
    await fleet.waitApplied('by-sa', revision);
    expect(await fleet.secretPassword('by-sa-db')).toBe(password);
    const exchanges = sts.exchanges.slice(before);
    expect(exchanges.length).toBeGreaterThan(0);
    // The STS region is the KMS key's (eu-west-2), as Flux takes it.
    expect(exchanges[0]).toMatchObject({
      roleArn: decryptRole,
      roleSessionName: `decryptor.${fleet.env.namespace}.${kms.region}.fluxcd.io`,
      subject: `system:serviceaccount:${fleet.env.namespace}:decryptor`,
    });
    expect(exchanges.every((e) => e.error === undefined)).toBe(true);
  });

  it('prefers static credentials in the Secret over the ServiceAccount', async () => {
    await fleet.createSecret('static-aws', {
      'sops.aws-kms': `aws_access_key_id: ${kms.credentials.accessKeyId}\naws_secret_access_key: ${kms.credentials.secretAccessKey}\n`,
    });
    const before = sts.exchanges.length;
    const revision = await reconcileFleet('static-first', {
      serviceAccountName: 'decryptor',
      secretRef: { name: 'static-aws' },
    });
    await fleet.waitApplied('static-first', revision);
    expect(await fleet.secretPassword('static-first-db')).toBe(password);
    expect(sts.exchanges.length).toBe(before);
  });

  it.each([
    {
      name: 'an unknown ServiceAccount is refused with a clear reason',
      ks: 'ghost-sa',
      account: 'ghost',
      want: (ns: string) =>
        `failed to get service account '${ns}/ghost': serviceaccounts "ghost" not found`,
    },
    {
      name: 'a role that does not trust the ServiceAccount is refused by STS',
      ks: 'untrusted-sa',
      account: 'untrusted',
      want: () => 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    },
  ])('$name, and nothing is applied', async ({ ks, account, want }) => {
    await reconcileFleet(ks, { serviceAccountName: account });
    const message = await fleet.waitDecryptionFailed(ks);
    expect(message).toContain(want(fleet.env.namespace));
    expect(message).toContain(kms.keyArn);
    expect(message).not.toContain(password);
    // No ServiceAccount token (a JWT) in the status.
    expect(message).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(await fleet.exists('ConfigMap', `${ks}-cm`)).toBe(false);
    expect(await fleet.secretPassword(`${ks}-db`)).toBeUndefined();
  });
});

describe('without the ObjectLevelWorkloadIdentity feature gate', () => {
  beforeAll(async () => {
    await controller.stop();
    controller = await startCloudController(fleet.env, settings(false));
  });

  it('refuses spec.decryption.serviceAccountName with the gate to enable', async () => {
    const before = sts.exchanges.length;
    await reconcileFleet('gate-off', { serviceAccountName: 'decryptor' });
    const message = await fleet.waitDecryptionFailed('gate-off');
    expect(message).toContain('ObjectLevelWorkloadIdentity feature gate is not enabled');
    expect(message).toContain('--feature-gates=ObjectLevelWorkloadIdentity=true');
    expect(sts.exchanges.length).toBe(before);
    expect(await fleet.exists('ConfigMap', 'gate-off-cm')).toBe(false);
  });

  it('decrypts with the controller identity from IRSA environment (AWS_ROLE_ARN + token file)', async () => {
    // What EKS injects into the controller pod: a projected token of its ServiceAccount.
    const token = await requestServiceAccountToken(
      createKubeTransport(fleet.env.kubeConfig),
      { namespace: fleet.env.namespace, name: 'kustomize-controller' },
      { audiences: ['sts.amazonaws.com'] },
    );
    const tokenFile = join(scratch, 'token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const irsa = {
      AWS_ROLE_ARN: controllerRole,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_REGION: kms.region,
      AWS_CONFIG_FILE: join(scratch, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    };
    await withProcessEnv(irsa, async () => {
      const before = sts.exchanges.length;
      const revision = await reconcileFleet('controller-identity', {});
      await fleet.waitApplied('controller-identity', revision);
      expect(await fleet.secretPassword('controller-identity-db')).toBe(password);
      expect(sts.exchanges.slice(before)).toContainEqual(
        expect.objectContaining({
          roleArn: controllerRole,
          subject: `system:serviceaccount:${fleet.env.namespace}:kustomize-controller`,
        }),
      );
    });
  });
});
