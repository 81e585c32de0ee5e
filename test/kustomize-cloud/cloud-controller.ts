import { KubeClientFactory } from '../../controllers/apply/index.ts';
import {
  buildEngine,
  createKustomizationController,
  type KustomizationReconcilerOptions,
} from '../../controllers/kustomize/index.ts';
import {
  createControllerContext,
  createLogger,
  RuntimeMetrics,
} from '../../controllers/runtime/index.ts';
import type { TestEnv } from '../harness/test-env.ts';

export type DecryptionSettings = NonNullable<KustomizationReconcilerOptions['decryption']>;

export interface RunningCloudController {
  readonly logs: string[];
  stop(): Promise<void>;
}

/**
 * Runs the Kustomization controller in this process on the test namespace, as
 * test/kustomize-controller/kustomize-env.ts does, with the remote key service settings the
 * cloud tests need (emulator endpoints, short deadlines, the workload identity gate).
 */
export async function startCloudController(
  env: TestEnv,
  decryption: DecryptionSettings,
): Promise<RunningCloudController> {
  const logs: string[] = [];
  const context = createControllerContext({
    kubeConfig: env.kubeConfig,
    logger: createLogger({ destination: { write: (line: string) => logs.push(line) } }),
    metrics: new RuntimeMetrics({ defaultMetrics: false }),
    settings: {
      concurrent: 4,
      storagePath: '',
      storageAddr: '',
      storageAdvAddr: '',
      noCrossNamespaceRefs: false,
      defaultServiceAccount: '',
      minRetryDelayMs: 200,
      maxRetryDelayMs: 2_000,
      intervalJitter: 0,
      watchNamespace: env.namespace,
      watchLabelSelector: undefined,
      requeueDependencyMs: 500,
    },
  });
  const controller = createKustomizationController(context, {
    engine: buildEngine,
    factory: new KubeClientFactory(env.kubeConfig),
    healthIntervalMs: 250,
    waitIntervalMs: 250,
    decryption,
  });
  await controller.start();
  return {
    logs,
    async stop() {
      await controller.stop(5_000);
    },
  };
}
