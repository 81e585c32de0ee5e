import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type V1Namespace,
} from '@kubernetes/client-node';
import { inject } from 'vitest';

/** One test's view of the shared control plane: clients and a namespace of its own. */
export interface TestEnv {
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly binDir: string;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly objects: KubernetesObjectApi;
  /** A namespace created for this test; deleted by stop(). */
  readonly namespace: string;
  /** A kubeconfig that acts as `user` through impersonation by the admin. */
  impersonate(user: string): KubeConfig;
  stop(): Promise<void>;
}

function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * Connects to the control plane started by the integration project's global setup and creates
 * a fresh namespace. Call `stop()` in `afterAll`/`afterEach`.
 */
export async function startTestEnv(options: { namespacePrefix?: string } = {}): Promise<TestEnv> {
  const shared = inject('sharedControlPlane');
  if (!shared) {
    throw new Error(
      'no shared control plane: run integration tests through vitest (project "integration")',
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(shared.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const namespace = uniqueName(options.namespacePrefix ?? 'test');
  const body: V1Namespace = {
    metadata: { name: namespace, labels: { 'kustodian.test/run': 'true' } },
  };
  await core.createNamespace({ body });
  return {
    kubeconfigPath: shared.kubeconfigPath,
    server: shared.server,
    binDir: shared.binDir,
    kubeConfig,
    core,
    objects,
    namespace,
    impersonate(user) {
      const impersonated = new KubeConfig();
      impersonated.loadFromFile(shared.kubeconfigPath);
      const current = impersonated.getCurrentUser();
      if (!current) throw new Error('kubeconfig has no current user');
      // client-node turns `impersonateUser` into the Impersonate-User header.
      impersonated.users = impersonated.users.map((u) =>
        u.name === current.name ? { ...u, impersonateUser: user } : u,
      );
      return impersonated;
    },
    async stop() {
      // No namespace controller runs, so the namespace stays Terminating; its name is unique.
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
}
