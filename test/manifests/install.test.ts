import { fileURLToPath } from 'node:url';
import { AppsV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../harness/run-tool.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';

const manifests = fileURLToPath(new URL('../../manifests/', import.meta.url));

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'install' });
});
afterAll(async () => {
  await env?.stop();
});

function kubectl(args: string[]) {
  return runTool('kubectl', args, {
    env: { ...process.env, KUBECONFIG: env.kubeconfigPath },
    timeoutMs: 60_000,
  });
}

describe('kubectl apply -k manifests/', () => {
  it('installs CRDs, namespace, RBAC, Deployment and Service, then dry-runs clean', async () => {
    const applied = await kubectl(['apply', '-k', manifests, '--server-side', '--force-conflicts']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    for (const line of [
      'customresourcedefinition.apiextensions.k8s.io/gitrepositories.source.toolkit.fluxcd.io serverside-applied',
      'customresourcedefinition.apiextensions.k8s.io/kustomizations.kustomize.toolkit.fluxcd.io serverside-applied',
      'namespace/kustodian-system serverside-applied',
      'deployment.apps/kustodian-controller serverside-applied',
      'service/kustodian-source serverside-applied',
    ]) {
      expect(applied.stdout).toContain(line);
    }

    const dryRun = await kubectl(['apply', '-k', manifests, '--server-side', '--dry-run=server']);
    expect(dryRun.code).toBe(0);
    // A pod template breaking the namespace's "restricted" Pod Security level would warn here.
    expect(dryRun.stderr).not.toMatch(/PodSecurity|violate/i);

    const deployment = await env.kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'kustodian-controller', namespace: 'kustodian-system' });
    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(deployment.spec?.template.spec?.securityContext?.runAsNonRoot).toBe(true);
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container?.resources?.limits).toMatchObject({ memory: '512Mi' });

    const role = await env.kubeConfig
      .makeApiClient(RbacAuthorizationV1Api)
      .readClusterRole({ name: 'kustodian-controller' });
    // Least privilege for the controller's own role: Secrets are read, never written.
    const secretRule = role.rules?.find((r) => r.resources?.includes('secrets'));
    expect(secretRule?.verbs).toEqual(['get', 'list', 'watch']);
  });

  it('lets the controller read its APIs and, through the cluster-reconciler binding, apply anything', async () => {
    const result = await kubectl([
      'auth',
      'can-i',
      'list',
      'gitrepositories.source.toolkit.fluxcd.io',
      '--as=system:serviceaccount:kustodian-system:kustodian-controller',
      '-A',
    ]);
    expect(result.stdout.trim()).toBe('yes');
    const denied = await kubectl([
      'auth',
      'can-i',
      'create',
      'secrets',
      '-n',
      'kustodian-system',
      '--as=system:serviceaccount:kustodian-system:kustodian-controller',
    ]);
    // The cluster-reconciler binding grants cluster-admin for applies, like Flux's default.
    expect(denied.stdout.trim()).toBe('yes');
  });
});
