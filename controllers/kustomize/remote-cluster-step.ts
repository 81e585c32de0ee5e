import { type Kustomization, Reason } from '../../api/index.ts';
import { type DynamicClient, KubeClientFactory, type RequestObserver } from '../apply/index.ts';
import { type KubeConfigData, KubeConnection, parseKubeConfig } from '../runtime/index.ts';
import { secretData } from './decryption-keys-step.ts';
import { messageOf } from './source-step.ts';
import { StepError } from './step-error.ts';

/** Flux's default keys of a kubeconfig Secret, tried in this order when `key` is empty. */
const defaultKeys = ['value', 'value.yaml'] as const;

/**
 * Clients for the cluster of `spec.kubeConfig.secretRef`, one factory per Secret version so a
 * rotated kubeconfig takes effect and an unchanged one keeps its discovery cache.
 */
export class RemoteClusters {
  readonly #observer: RequestObserver | undefined;
  readonly #factories = new Map<string, { version: string; factory: KubeClientFactory }>();

  constructor(options: { observer?: RequestObserver | undefined } = {}) {
    this.#observer = options.observer;
  }

  /**
   * The factory for the remote cluster, or undefined when the Kustomization applies to the
   * cluster the controller runs in. A missing Secret or an unusable kubeconfig is a
   * ReconciliationFailed naming the Secret and key, never its content.
   */
  async factoryFor(
    ks: Kustomization,
    reader: DynamicClient,
    signal: AbortSignal,
  ): Promise<KubeClientFactory | undefined> {
    const kubeConfigRef = ks.spec.kubeConfig;
    if (kubeConfigRef === undefined) return undefined;
    const ref = kubeConfigRef.secretRef;
    if (ref === undefined) {
      // Applying to the local cluster instead would be worse than refusing.
      throw new StepError(
        Reason.ReconciliationFailed,
        'spec.kubeConfig.configMapRef (cloud workload identity) is not supported by kustodian; use spec.kubeConfig.secretRef',
        { retryable: false },
      );
    }
    const namespace = ks.metadata.namespace ?? '';
    const where = `kubeconfig Secret '${namespace}/${ref.name}'`;
    let secret: Record<string, unknown> | undefined;
    try {
      secret = await reader.get(
        { apiVersion: 'v1', kind: 'Secret', name: ref.name, namespace },
        signal,
      );
    } catch (error) {
      throw new StepError(Reason.ReconciliationFailed, `cannot get ${where}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (secret === undefined) {
      throw new StepError(
        Reason.ReconciliationFailed,
        `cannot get ${where}: secrets "${ref.name}" not found`,
      );
    }
    const metadata = secret.metadata as { resourceVersion?: string } | undefined;
    const version = metadata?.resourceVersion ?? '';
    const cacheKey = `${namespace}/${ref.name}/${ref.key ?? ''}`;
    const cached = this.#factories.get(cacheKey);
    if (cached && cached.version === version) return cached.factory;
    const kubeConfig = readKubeConfig(secretData(secret), ref.key, where);
    const factory = new KubeClientFactory(
      new KubeConnection(kubeConfig),
      this.#observer ? { observer: this.#observer } : {},
    );
    this.#factories.set(cacheKey, { version, factory });
    return factory;
  }
}

function readKubeConfig(
  data: Readonly<Record<string, Uint8Array>>,
  key: string | undefined,
  where: string,
): KubeConfigData {
  const keys = key ? [key] : defaultKeys;
  const found = keys.find((k) => data[k] !== undefined);
  const bytes = found === undefined ? undefined : data[found];
  if (found === undefined || bytes === undefined) {
    throw new StepError(
      Reason.ReconciliationFailed,
      `${where} has no key ${keys.map((k) => `'${k}'`).join(' or ')} holding a kubeconfig`,
      { retryable: true },
    );
  }
  let kubeConfig: KubeConfigData;
  try {
    kubeConfig = parseKubeConfig(Buffer.from(bytes).toString('utf8'), {
      where: `${where} key '${found}'`,
    });
  } catch {
    // The message is ours and names no value, but a parse error is all the user needs.
    throw new StepError(
      Reason.ReconciliationFailed,
      `${where} key '${found}' is not a valid kubeconfig`,
    );
  }
  // As Flux without --insecure-kubeconfig-exec: a kubeconfig from a Secret must not run
  // programs inside the controller.
  if (kubeConfig.exec !== undefined || kubeConfig.authProvider !== undefined) {
    throw new StepError(
      Reason.ReconciliationFailed,
      `${where} key '${found}': exec and auth-provider credentials are not allowed; use a token or client certificate`,
    );
  }
  return kubeConfig;
}
