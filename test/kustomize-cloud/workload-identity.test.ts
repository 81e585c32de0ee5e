import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTransport, type KubeTransport } from '../../controllers/apply/index.ts';
import {
  assumeRoleWithWebIdentity,
  exchangeGcpToken,
  objectIdentity,
  requestServiceAccountToken,
} from '../../controllers/kustomize/identity/index.ts';
import { type StsWireServer, startSilentServer, startStsWireServer } from '../emulators/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { createServiceAccounts } from './cloud-fleet.ts';

const roleArn = 'arn:aws:iam::111122223333:role/kustodian-decrypt';
const otherRole = 'arn:aws:iam::111122223333:role/someone-else';

let env: TestEnv;
let sts: StsWireServer;
let transport: KubeTransport;

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'wi' });
  transport = createKubeTransport(env.kubeConfig);
  await createServiceAccounts(env, {
    decryptor: { 'eks.amazonaws.com/role-arn': roleArn },
    'no-role': {},
    untrusted: { 'eks.amazonaws.com/role-arn': otherRole },
  });
  sts = await startStsWireServer({
    kubeConfig: env.kubeConfig,
    trust: {
      [roleArn]: `system:serviceaccount:${env.namespace}:decryptor`,
      [otherRole]: `system:serviceaccount:${env.namespace}:somebody`,
    },
  });
});

afterAll(async () => {
  await sts?.stop();
  await env?.stop();
});

const settings = (objectLevel: boolean) => ({
  objectLevel,
  awsStsEndpoint: sts.endpoint,
  timeoutMs: 10_000,
});

describe('object-level workload identity against a local AWS STS wire-format server', () => {
  it('exchanges a TokenRequest token of the ServiceAccount for temporary credentials', async () => {
    const identity = objectIdentity(
      transport,
      { namespace: env.namespace, name: 'decryptor' },
      settings(true),
    );
    const credentials = await identity.aws('eu-west-2');
    expect(credentials.accessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now());
    const exchange = sts.exchanges.at(-1);
    expect(exchange).toEqual({
      roleArn,
      roleSessionName: `decryptor.${env.namespace}.eu-west-2.fluxcd.io`,
      subject: `system:serviceaccount:${env.namespace}:decryptor`,
      accessKeyId: credentials.accessKeyId,
    });
    // Kept for the run: a second key in the same region asks nobody again.
    const before = sts.exchanges.length;
    expect(await identity.aws('eu-west-2')).toEqual(credentials);
    expect(sts.exchanges.length).toBe(before);
  });

  it('refuses a token for another audience, as STS does', async () => {
    const token = await requestServiceAccountToken(
      transport,
      { namespace: env.namespace, name: 'decryptor' },
      { audiences: ['https://kubernetes.default.svc'] },
    );
    const error = await assumeRoleWithWebIdentity({
      roleArn,
      roleSessionName: 'test',
      webIdentityToken: token,
      region: 'eu-west-2',
      endpoint: sts.endpoint,
      timeoutMs: 10_000,
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`role '${roleArn}' failed`);
    expect((error as Error).message).toContain('Incorrect token audience');
    expect((error as Error).message).not.toContain(token);
    expect(sts.exchanges.at(-1)?.error).toBe('InvalidIdentityToken');
  });

  it('refuses a forged token whose signature the apiserver JWKS does not verify', async () => {
    const real = await requestServiceAccountToken(
      transport,
      { namespace: env.namespace, name: 'decryptor' },
      { audiences: ['sts.amazonaws.com'] },
    );
    const [header, payload] = real.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`;
    const error = await assumeRoleWithWebIdentity({
      roleArn,
      roleSessionName: 'test',
      webIdentityToken: forged,
      region: 'eu-west-2',
      endpoint: sts.endpoint,
      timeoutMs: 10_000,
    }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain('the token signature is invalid');
  });

  it.each([
    {
      name: 'an unknown ServiceAccount is refused by name',
      account: 'ghost',
      objectLevel: true,
      want: (ns: string) =>
        `failed to get service account '${ns}/ghost': serviceaccounts "ghost" not found`,
    },
    {
      name: 'the feature gate off is refused with Flux reason and the flag to set',
      account: 'decryptor',
      objectLevel: false,
      want: () =>
        "ObjectLevelWorkloadIdentity feature gate is not enabled: spec.decryption.serviceAccountName 'decryptor' needs the controller flag --feature-gates=ObjectLevelWorkloadIdentity=true",
    },
    {
      name: 'a ServiceAccount without the IRSA annotation is refused naming it',
      account: 'no-role',
      objectLevel: true,
      want: (ns: string) =>
        `service account '${ns}/no-role': invalid eks.amazonaws.com/role-arn annotation: ''`,
    },
    {
      name: 'a role that does not trust the ServiceAccount is denied by STS',
      account: 'untrusted',
      objectLevel: true,
      want: () => 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    },
  ])('$name', async ({ account, objectLevel, want }) => {
    const before = sts.exchanges.length;
    const identity = objectIdentity(
      transport,
      { namespace: env.namespace, name: account },
      settings(objectLevel),
    );
    await expect(identity.aws('eu-west-2')).rejects.toThrow(want(env.namespace));
    const asked = sts.exchanges.length - before;
    expect(asked).toBe(account === 'untrusted' ? 1 : 0);
  });
});

describe('identity exchanges against a service that hangs', () => {
  it.each([
    {
      name: 'AWS STS AssumeRoleWithWebIdentity',
      exchange: (endpoint: string, token: string) =>
        assumeRoleWithWebIdentity({
          roleArn,
          roleSessionName: 'test',
          webIdentityToken: token,
          region: 'eu-west-2',
          endpoint,
          timeoutMs: 1_500,
        }),
      want: `STS AssumeRoleWithWebIdentity for role '${roleArn}' failed: timed out`,
    },
    {
      name: 'Google STS token exchange',
      exchange: (endpoint: string, token: string) =>
        exchangeGcpToken({
          subjectToken: token,
          identity: { audience: '//iam.googleapis.com/projects/1/locations/global/x' },
          stsEndpoint: endpoint,
          timeoutMs: 1_500,
        }),
      want: "GCP STS token exchange for '//iam.googleapis.com/projects/1/locations/global/x' failed: timed out",
    },
  ])('$name gives up at its deadline with a reason, not the token', async ({ exchange, want }) => {
    const silent = await startSilentServer();
    try {
      const token = await requestServiceAccountToken(
        transport,
        { namespace: env.namespace, name: 'decryptor' },
        { audiences: ['sts.amazonaws.com'] },
      );
      const started = Date.now();
      const error = await exchange(silent.address, token).catch((e: unknown) => e as Error);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((error as Error).message).toContain(want);
      expect((error as Error).message).not.toContain(token);
      expect(silent.connections.length).toBeGreaterThan(0);
    } finally {
      await silent.stop();
    }
  });
});
