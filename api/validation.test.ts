import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateGitRepository, validateKustomization } from './validation.ts';

// Flux's documented examples, as users write them.
const gitRepository = parse(`
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: podinfo
  namespace: default
spec:
  interval: 5m0s
  url: https://github.com/stefanprodan/podinfo
  ref:
    semver: ">=6.0.0"
  secretRef:
    name: https-credentials
  ignore: |
    /*
    !/deploy
  include:
    - repository:
        name: shared
      fromPath: deploy
      toPath: base
`) as Record<string, unknown>;

const kustomization = parse(`
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  retryInterval: 2m
  timeout: 5m
  path: ./apps/production
  prune: true
  wait: true
  deletionPolicy: Delete
  sourceRef:
    kind: GitRepository
    name: fleet
  decryption:
    provider: sops
    secretRef:
      name: sops-age
  postBuild:
    substitute:
      cluster_env: prod
    substituteFrom:
      - kind: Secret
        name: cluster-secrets
        optional: true
  patches:
    - patch: |
        - op: replace
          path: /spec/replicas
          value: 2
      target:
        kind: Deployment
        labelSelector: app=web
  images:
    - name: ghcr.io/stefanprodan/podinfo
      newTag: 6.5.0
  dependsOn:
    - name: infra
  healthChecks:
    - apiVersion: apps/v1
      kind: Deployment
      name: web
      namespace: prod
  commonMetadata:
    labels:
      team: web
`) as Record<string, unknown>;

function withSpec(object: Record<string, unknown>, fields: Record<string, unknown>) {
  return { ...object, spec: { ...(object.spec as object), ...fields } };
}

describe('validateGitRepository', () => {
  it('accepts Flux example and returns it typed', () => {
    const result = validateGitRepository(gitRepository);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.spec.ref?.semver).toBe('>=6.0.0');
  });

  it.each([
    {
      name: 'an ftp URL is refused',
      input: withSpec(gitRepository, { url: 'ftp://x/y' }),
      want: 'spec.url',
    },
    {
      name: 'a timeout in hours is refused',
      input: withSpec(gitRepository, { timeout: '1h' }),
      want: 'spec.timeout',
    },
    {
      name: 'an unknown verify mode is refused',
      input: withSpec(gitRepository, { verify: { mode: 'All', secretRef: { name: 'k' } } }),
      want: 'spec.verify.mode',
    },
    {
      name: 'verify without secretRef is refused',
      input: withSpec(gitRepository, { verify: { mode: 'HEAD' } }),
      want: 'spec.verify.secretRef',
    },
    {
      name: 'an include without repository is refused',
      input: withSpec(gitRepository, { include: [{ toPath: 'x' }] }),
      want: 'spec.include[0].repository',
    },
    {
      name: 'serviceAccountName with the generic provider is refused',
      input: withSpec(gitRepository, { provider: 'generic', serviceAccountName: 'sa' }),
      want: 'spec',
    },
    {
      name: 'a misspelt field is refused',
      input: withSpec(gitRepository, { intervall: '1m' }),
      want: 'spec.intervall',
    },
    {
      name: 'a wrong kind is refused',
      input: { ...gitRepository, kind: 'Kustomization' },
      want: 'kind',
    },
    {
      name: 'an object without name is refused',
      input: { ...gitRepository, metadata: {} },
      want: 'metadata.name',
    },
  ])('$name', ({ input, want }) => {
    const result = validateGitRepository(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain(want);
  });

  it('never echoes the URL, which may hold credentials', () => {
    const result = validateGitRepository(
      withSpec(gitRepository, { url: 'ftp://user:s3cret@host/repo' }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(JSON.stringify(result.issues)).not.toContain('s3cret');
  });

  it('serviceAccountName with the aws provider is accepted', () => {
    expect(
      validateGitRepository(withSpec(gitRepository, { provider: 'aws', serviceAccountName: 'sa' }))
        .ok,
    ).toBe(true);
  });
});

describe('validateKustomization', () => {
  it('accepts Flux example', () => {
    expect(validateKustomization(kustomization)).toMatchObject({ ok: true });
  });

  it.each([
    {
      name: 'an interval that is not a duration is refused',
      input: withSpec(kustomization, { interval: '10 minutes' }),
      want: 'spec.interval',
    },
    {
      name: 'an unknown deletionPolicy is refused',
      input: withSpec(kustomization, { deletionPolicy: 'Keep' }),
      want: 'spec.deletionPolicy',
    },
    {
      name: 'prune is required',
      input: withSpec(kustomization, { prune: undefined }),
      want: 'spec.prune',
    },
    {
      name: 'a source kind outside the enum is refused',
      input: withSpec(kustomization, { sourceRef: { kind: 'HelmRepository', name: 'x' } }),
      want: 'spec.sourceRef.kind',
    },
    {
      name: 'a decryption provider other than sops is refused',
      input: withSpec(kustomization, { decryption: { provider: 'vault' } }),
      want: 'spec.decryption.provider',
    },
    {
      name: 'an empty namePrefix is refused',
      input: withSpec(kustomization, { namePrefix: '' }),
      want: 'spec.namePrefix',
    },
    {
      name: 'a targetNamespace over 63 characters is refused',
      input: withSpec(kustomization, { targetNamespace: 'n'.repeat(64) }),
      want: 'spec.targetNamespace',
    },
    {
      name: 'substituteFrom of a Deployment is refused',
      input: withSpec(kustomization, {
        postBuild: { substituteFrom: [{ kind: 'Deployment', name: 'x' }] },
      }),
      want: 'spec.postBuild.substituteFrom[0].kind',
    },
    {
      name: 'prune as a string is refused',
      input: withSpec(kustomization, { prune: 'true' }),
      want: 'spec.prune',
    },
    {
      name: 'a kubeConfig with neither ref is refused',
      input: withSpec(kustomization, { kubeConfig: {} }),
      want: 'spec.kubeConfig',
    },
  ])('$name', ({ input, want }) => {
    const result = validateKustomization(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain(want);
  });

  it('a Kustomization without sourceRef names the missing field', () => {
    const spec = { ...(kustomization.spec as Record<string, unknown>) };
    delete spec.sourceRef;
    const result = validateKustomization({ ...kustomization, spec });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'spec.sourceRef', message: 'required field is missing' }],
    });
  });

  it('unknown fields may be allowed, as for objects read back from an apiserver', () => {
    const input = withSpec(kustomization, { futureField: true });
    expect(validateKustomization(input).ok).toBe(false);
    expect(validateKustomization(input, { rejectUnknownFields: false }).ok).toBe(true);
  });
});
