import { describe, expect, it } from 'vitest';
import { type KubeHttpRequest, KubeStatusError, type KubeTransport } from '../../apply/index.ts';
import {
  awsRoleArn,
  awsSdkCredentialProvider,
  azureWorkloadIdentity,
  gcpWorkloadIdentity,
  objectIdentity,
  requestServiceAccountToken,
  setObjectLevelWorkloadIdentity,
} from './index.ts';

/** A fake apiserver holding ServiceAccounts; records every request. */
function fakeApiserver(accounts: Record<string, Record<string, string>>, token = 'eyJ.fake.jwt') {
  const requests: KubeHttpRequest[] = [];
  const transport: KubeTransport = async (request) => {
    requests.push(request);
    const name = /serviceaccounts\/([^/]+)/.exec(request.path)?.[1] ?? '';
    const annotations = accounts[name];
    if (annotations === undefined) {
      throw new KubeStatusError(request, 404, { reason: 'NotFound', message: 'not found' }, '');
    }
    if (request.method === 'POST') return { status: { token } };
    return { metadata: { name, annotations } };
  };
  return { transport, requests };
}

const role = 'arn:aws:iam::111122223333:role/decrypt';

describe('objectIdentity', () => {
  it('refuses an unknown ServiceAccount by name before anything else', async () => {
    const api = fakeApiserver({});
    const identity = objectIdentity(
      api.transport,
      { namespace: 'apps', name: 'ghost' },
      {
        objectLevel: true,
      },
    );
    await expect(identity.aws('eu-west-1')).rejects.toThrow(
      `failed to get service account 'apps/ghost': serviceaccounts "ghost" not found`,
    );
    expect(api.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('refuses with the feature gate off and asks for no token', async () => {
    const api = fakeApiserver({ sa: { 'eks.amazonaws.com/role-arn': role } });
    const identity = objectIdentity(
      api.transport,
      { namespace: 'apps', name: 'sa' },
      {
        objectLevel: false,
      },
    );
    await expect(identity.aws('eu-west-1')).rejects.toThrow(
      'ObjectLevelWorkloadIdentity feature gate is not enabled',
    );
    expect(api.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('follows the process-wide gate that --feature-gates sets when the settings leave it open', async () => {
    const api = fakeApiserver({ sa: {} });
    const identity = objectIdentity(api.transport, { namespace: 'apps', name: 'sa' }, {});
    await expect(identity.aws('eu-west-1')).rejects.toThrow('feature gate is not enabled');
    setObjectLevelWorkloadIdentity(true);
    try {
      // Past the gate: the next check is the ServiceAccount's role annotation.
      await expect(identity.aws('eu-west-1')).rejects.toThrow(
        "invalid eks.amazonaws.com/role-arn annotation: ''",
      );
    } finally {
      setObjectLevelWorkloadIdentity(false);
    }
  });

  it('does not keep a failure: the next call asks again', async () => {
    const api = fakeApiserver({});
    const identity = objectIdentity(
      api.transport,
      { namespace: 'apps', name: 'late' },
      {
        objectLevel: true,
      },
    );
    await expect(identity.aws('eu-west-1')).rejects.toThrow('not found');
    await expect(identity.aws('eu-west-1')).rejects.toThrow('not found');
    expect(api.requests).toHaveLength(2);
  });
});

describe('requestServiceAccountToken', () => {
  it('asks the TokenRequest API for the audience with a short lifetime', async () => {
    const api = fakeApiserver({ sa: {} }, 'the-token');
    const token = await requestServiceAccountToken(
      api.transport,
      { namespace: 'apps', name: 'sa' },
      { audiences: ['sts.amazonaws.com'] },
    );
    expect(token).toBe('the-token');
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/namespaces/apps/serviceaccounts/sa/token',
      body: { spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 600 } },
    });
  });

  it('refuses an answer without a token', async () => {
    const api = fakeApiserver({ sa: {} }, '');
    await expect(
      requestServiceAccountToken(api.transport, { namespace: 'a', name: 'sa' }, { audiences: [] }),
    ).rejects.toThrow("failed to create kubernetes token for service account 'a/sa'");
  });
});

describe('awsRoleArn', () => {
  it.each([
    { name: 'an IAM role ARN is taken', input: role, want: role },
    {
      name: 'a GovCloud role ARN is taken',
      input: 'arn:aws-us-gov:iam::1:role/r',
      want: 'arn:aws-us-gov:iam::1:role/r',
    },
  ])('$name', ({ input, want }) => {
    const account = {
      namespace: 'a',
      name: 'sa',
      annotations: { 'eks.amazonaws.com/role-arn': input },
    };
    expect(awsRoleArn(account)).toBe(want);
  });

  it.each([
    { name: 'a missing annotation is refused', annotations: {} },
    {
      name: 'a user ARN is refused',
      annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:user/me' },
    },
  ])('$name naming the annotation', ({ annotations }) => {
    expect(() => awsRoleArn({ namespace: 'a', name: 'sa', annotations })).toThrow(
      "service account 'a/sa': invalid eks.amazonaws.com/role-arn annotation",
    );
  });
});

describe('awsSdkCredentialProvider', () => {
  const credentials = { accessKeyId: 'ASIA', secretAccessKey: 's' };

  it("uses the calling KMS client's region, as Flux uses the key's region for STS", async () => {
    const regions: string[] = [];
    const provider = awsSdkCredentialProvider(async (region) => {
      regions.push(region);
      return credentials;
    });
    await provider({ callerClientConfig: { region: async () => 'ap-south-1' } });
    await provider({ callerClientConfig: { region: 'eu-north-1' } });
    expect(regions).toEqual(['ap-south-1', 'eu-north-1']);
  });

  it('falls back to AWS_REGION, then us-east-1, when the caller passes no region', async () => {
    const regions: string[] = [];
    const provider = awsSdkCredentialProvider(async (region) => {
      regions.push(region);
      return credentials;
    });
    const saved = process.env.AWS_REGION;
    try {
      process.env.AWS_REGION = 'ca-central-1';
      await provider();
      delete process.env.AWS_REGION;
      await provider({});
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
    expect(regions).toEqual(['ca-central-1', 'us-east-1']);
  });
});

describe('gcpWorkloadIdentity', () => {
  const provider = 'projects/123/locations/global/workloadIdentityPools/pool/providers/cluster';
  const account = (annotations: Record<string, string>) => ({
    namespace: 'a',
    name: 'sa',
    annotations,
  });

  it.each([
    {
      name: 'the provider gives the audience; no email means the federated identity acts',
      annotations: { 'gcp.auth.fluxcd.io/workload-identity-provider': provider },
      want: { audience: `//iam.googleapis.com/${provider}` },
    },
    {
      name: 'an annotated Google service account is impersonated',
      annotations: {
        'gcp.auth.fluxcd.io/workload-identity-provider': provider,
        'iam.gke.io/gcp-service-account': 'sops@proj-1.iam.gserviceaccount.com',
      },
      want: {
        audience: `//iam.googleapis.com/${provider}`,
        serviceAccountEmail: 'sops@proj-1.iam.gserviceaccount.com',
      },
    },
  ])('$name', ({ annotations, want }) => {
    expect(gcpWorkloadIdentity(account(annotations))).toEqual(want);
  });

  it.each([
    { name: 'no provider annotation', annotations: {}, want: 'has no gcp.auth.fluxcd.io' },
    {
      name: 'a provider that is not a resource name',
      annotations: { 'gcp.auth.fluxcd.io/workload-identity-provider': 'pool/cluster' },
      want: "invalid gcp.auth.fluxcd.io/workload-identity-provider annotation: 'pool/cluster'",
    },
    {
      name: 'an email that is not a service account',
      annotations: {
        'gcp.auth.fluxcd.io/workload-identity-provider': provider,
        'iam.gke.io/gcp-service-account': 'me@example.com',
      },
      want: 'invalid iam.gke.io/gcp-service-account annotation',
    },
  ])('$name is refused naming the annotation', ({ annotations, want }) => {
    expect(() => gcpWorkloadIdentity(account(annotations))).toThrow(want);
  });
});

describe('azureWorkloadIdentity', () => {
  it.each([
    {
      name: 'a missing tenant is refused naming its annotation',
      annotations: { 'azure.workload.identity/client-id': 'c' },
      want: 'azure tenant ID is not set in the annotation azure.workload.identity/tenant-id',
    },
    {
      name: 'a missing client is refused naming its annotation',
      annotations: { 'azure.workload.identity/tenant-id': 't' },
      want: 'azure client ID is not set in the annotation azure.workload.identity/client-id',
    },
  ])('$name', ({ annotations, want }) => {
    expect(() => azureWorkloadIdentity({ namespace: 'a', name: 'sa', annotations })).toThrow(
      `service account 'a/sa': ${want}`,
    );
  });

  it('reads both annotations', () => {
    const annotations = {
      'azure.workload.identity/tenant-id': 't',
      'azure.workload.identity/client-id': 'c',
    };
    expect(azureWorkloadIdentity({ namespace: 'a', name: 'sa', annotations })).toEqual({
      tenantId: 't',
      clientId: 'c',
    });
  });
});
