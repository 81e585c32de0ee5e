import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTransport } from '../../controllers/apply/index.ts';
import { requestServiceAccountToken } from '../../controllers/kustomize/identity/index.ts';
import {
  type GcpKmsWireServer,
  type StsWireServer,
  startGcpKmsWireServer,
  startStsWireServer,
} from '../emulators/index.ts';
import { sopsEncryptWith } from '../kustomize-controller/kustomize-env.ts';
import { type RunningCloudController, startCloudController } from './cloud-controller.ts';
import {
  CloudFleet,
  configMapYaml,
  createServiceAccounts,
  gcpSopsEnv,
  secretYaml,
} from './cloud-fleet.ts';
import { withProcessEnv } from './process-env.ts';

const password = 'never-shown-gcp-wi-s3cret';

const provider =
  'projects/123456789/locations/global/workloadIdentityPools/kustodian/providers/test-cluster';

let fleet: CloudFleet;
let gcp: GcpKmsWireServer;
let sts: StsWireServer;
let controller: RunningCloudController;
let scratch: string;

beforeAll(async () => {
  [fleet, gcp] = await Promise.all([CloudFleet.start('ks-gcp-wi'), startGcpKmsWireServer()]);
  const { env } = fleet;
  sts = await startStsWireServer({
    kubeConfig: env.kubeConfig,
    trust: {},
    gcp: {
      audience: `//iam.googleapis.com/${provider}`,
      impersonation: {
        [`system:serviceaccount:${env.namespace}:decryptor`]: gcp.serviceAccount.email,
        [`system:serviceaccount:${env.namespace}:kustomize-controller`]: gcp.serviceAccount.email,
      },
      accessToken: gcp.accessToken,
    },
  });
  const annotated = (email: string, wip = provider) => ({
    'gcp.auth.fluxcd.io/workload-identity-provider': wip,
    'iam.gke.io/gcp-service-account': email,
  });
  await createServiceAccounts(env, {
    decryptor: annotated(gcp.serviceAccount.email),
    intruder: annotated(gcp.serviceAccount.email),
    'no-provider': { 'iam.gke.io/gcp-service-account': gcp.serviceAccount.email },
    'kustomize-controller': {},
  });
  scratch = await mkdtemp(join(tmpdir(), 'kustodian-gcp-wi-'));
  controller = await startCloudController(env, {
    services: { gcp: { endpoint: gcp.endpoint, timeoutMs: 5_000, maxAttempts: 2 } },
    workloadIdentity: {
      objectLevel: true,
      gcpStsEndpoint: sts.endpoint,
      gcpIamCredentialsEndpoint: sts.endpoint,
      timeoutMs: 5_000,
    },
  });
}, 180_000);

afterAll(async () => {
  await controller?.stop();
  await Promise.all([gcp?.stop(), sts?.stop()]);
  await fleet?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A Kustomization of its own reading one Secret (`<name>-db`) encrypted for GCP KMS and a ConfigMap. */
async function reconcileFleet(name: string, serviceAccountName?: string): Promise<string> {
  const encrypted = await sopsEncryptWith(
    secretYaml(`${name}-db`, password),
    ['--gcp-kms', gcp.keyName],
    gcpSopsEnv(gcp),
  );
  return fleet.publish(
    name,
    { 'secret.yaml': encrypted, 'cm.yaml': configMapYaml(`${name}-cm`) },
    serviceAccountName ? { serviceAccountName } : {},
  );
}

describe('spec.decryption.serviceAccountName with GCP workload identity federation, against local GCP STS and KMS wire-format servers', () => {
  it('decrypts: TokenRequest token → Google STS exchange → service account impersonation → KMS', async () => {
    const before = sts.gcpLog.length;
    const revision = await reconcileFleet('by-sa', 'decryptor');
    await fleet.waitApplied('by-sa', revision);
    expect(await fleet.secretPassword('by-sa-db')).toBe(password);
    expect(sts.gcpLog.slice(before)).toEqual([
      `sts system:serviceaccount:${fleet.env.namespace}:decryptor`,
      `impersonate ${gcp.serviceAccount.email}`,
    ]);
  });

  it.each([
    {
      name: 'a ServiceAccount the Google service account does not trust is denied',
      ks: 'intruder',
      want: "impersonating GCP service account 'kustodian-sops@kustodian-test.iam.gserviceaccount.com' failed: Permission 'iam.serviceAccounts.getAccessToken' denied",
    },
    {
      name: 'a ServiceAccount without the workload identity provider annotation is refused by name',
      ks: 'no-provider',
      want: "/no-provider' has no gcp.auth.fluxcd.io/workload-identity-provider annotation",
    },
  ])('$name, and nothing is applied', async ({ ks, want }) => {
    await reconcileFleet(ks, ks);
    const message = await fleet.waitDecryptionFailed(ks);
    expect(message).toContain(want);
    expect(message).toContain(gcp.keyName);
    expect(message).not.toContain(password);
    // No ServiceAccount token (a JWT) in the status.
    expect(message).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(message).not.toContain(gcp.accessToken);
    expect(await fleet.exists('ConfigMap', `${ks}-cm`)).toBe(false);
  });

  it('decrypts with the controller identity from external-account Application Default Credentials', async () => {
    // A workload identity federation credentials file, as `gcloud iam workload-identity-pools
    // create-cred-config` writes it, reading the controller's projected ServiceAccount token.
    const audience = `//iam.googleapis.com/${provider}`;
    const token = await requestServiceAccountToken(
      createKubeTransport(fleet.env.kubeConfig),
      { namespace: fleet.env.namespace, name: 'kustomize-controller' },
      { audiences: [audience] },
    );
    const tokenFile = join(scratch, 'gcp-token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const credentialsFile = join(scratch, 'external-account.json');
    await writeFile(
      credentialsFile,
      JSON.stringify({
        type: 'external_account',
        audience,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${sts.endpoint}/v1/token`,
        service_account_impersonation_url: `${sts.endpoint}/v1/projects/-/serviceAccounts/${gcp.serviceAccount.email}:generateAccessToken`,
        credential_source: { file: tokenFile },
      }),
    );
    // As on GKE or with `gcloud config set project`: the client asks no resource manager for it.
    const injected = {
      GOOGLE_APPLICATION_CREDENTIALS: credentialsFile,
      GOOGLE_CLOUD_PROJECT: gcp.projectId,
    };
    await withProcessEnv(injected, async () => {
      const before = sts.gcpLog.length;
      const revision = await reconcileFleet('controller-identity');
      await fleet.waitApplied('controller-identity', revision);
      expect(await fleet.secretPassword('controller-identity-db')).toBe(password);
      expect(sts.gcpLog.slice(before)).toEqual([
        `sts system:serviceaccount:${fleet.env.namespace}:kustomize-controller`,
        `impersonate ${gcp.serviceAccount.email}`,
      ]);
    });
  });
});
