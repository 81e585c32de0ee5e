import type { KustomizationReconcilerOptions } from '../../controllers/kustomize/index.ts';
import type { TestEnv } from '../harness/test-env.ts';
import {
  type RunningKustomizeController,
  startKustomizeController,
} from '../kustomize-controller/kustomize-env.ts';

export type DecryptionSettings = NonNullable<KustomizationReconcilerOptions['decryption']>;

export type RunningCloudController = RunningKustomizeController;

/**
 * The in-process Kustomization controller of test/kustomize-controller, with the remote key
 * service settings the cloud tests need (emulator endpoints, short deadlines, the workload
 * identity gate).
 */
export function startCloudController(
  env: TestEnv,
  decryption: DecryptionSettings,
): Promise<RunningCloudController> {
  return startKustomizeController(env, { decryption });
}
