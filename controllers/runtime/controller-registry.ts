import type { Logger } from 'pino';
import { apiserverEventSink, EventRecorder } from './event-recorder.ts';
import type { KubeAccess } from './kube-connection.ts';
import type { RunnableController } from './manager.ts';
import type { RuntimeMetrics } from './metrics.ts';

/** The `kustodian controller` flags a reconciler may need, under Flux's names. */
export interface ControllerSettings {
  /** `--concurrent`: reconciles of one kind at the same time. */
  readonly concurrent: number;
  /** `--storage-path`: where artifacts are kept. */
  readonly storagePath: string;
  /** `--storage-addr`: where the artifact server listens. */
  readonly storageAddr: string;
  /** `--storage-adv-addr`: the host:port artifact URLs point at. */
  readonly storageAdvAddr: string;
  /** `--no-cross-namespace-refs`: refuse references to other namespaces. */
  readonly noCrossNamespaceRefs: boolean;
  /** `--default-service-account`: impersonated when an object names none. */
  readonly defaultServiceAccount: string;
  /** `--min-retry-delay` / `--max-retry-delay`: per-object backoff after failures. */
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** `--interval-jitter-percentage` / 100. */
  readonly intervalJitter: number;
  /** Only this namespace is watched; all when undefined. */
  readonly watchNamespace: string | undefined;
  /** `--watch-label-selector`: only objects matching it are reconciled (sharding). */
  readonly watchLabelSelector: string | undefined;
  /** `--requeue-dependency`: retry interval while a dependency is not ready. */
  readonly requeueDependencyMs: number;
}

/** What a controller gets to build itself with. */
export interface ControllerContext {
  readonly kubeConfig: KubeAccess;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly settings: ControllerSettings;
  /** An event recorder reporting as `component` (Flux: `source-controller`, ...). */
  events(component: string): EventRecorder;
}

export interface ControllerRegistration {
  /** The name `--controllers` selects it by: `source`, `kustomize`. */
  readonly name: string;
  readonly description: string;
  create(
    context: ControllerContext,
  ):
    | RunnableController
    | readonly RunnableController[]
    | Promise<RunnableController | readonly RunnableController[]>;
}

/** The controllers one `kustodian controller` binary can run. */
export class ControllerRegistry {
  readonly #registrations = new Map<string, ControllerRegistration>();

  register(registration: ControllerRegistration): void {
    if (this.#registrations.has(registration.name)) {
      throw new Error(`controller "${registration.name}" is registered twice`);
    }
    this.#registrations.set(registration.name, registration);
  }

  get names(): readonly string[] {
    return [...this.#registrations.keys()];
  }

  /**
   * The registrations `--controllers` asks for, all of them when it is undefined. Unknown names
   * fail with the list of known ones.
   */
  select(requested: readonly string[] | undefined): readonly ControllerRegistration[] {
    if (requested === undefined) return [...this.#registrations.values()];
    const unknown = requested.filter((name) => !this.#registrations.has(name));
    if (unknown.length > 0) {
      const known = this.names.length > 0 ? this.names.join(', ') : 'none in this build';
      throw new Error(`--controllers: unknown controller ${unknown.join(', ')}; known: ${known}`);
    }
    return [...new Set(requested)].map((name) => this.#registrations.get(name)!);
  }
}

export function createControllerContext(options: {
  kubeConfig: KubeAccess;
  logger: Logger;
  metrics: RuntimeMetrics;
  settings: ControllerSettings;
}): ControllerContext {
  const sink = apiserverEventSink(options.kubeConfig);
  const recorders = new Map<string, EventRecorder>();
  return {
    ...options,
    events(component) {
      let recorder = recorders.get(component);
      if (!recorder) {
        recorder = new EventRecorder({
          component,
          sink,
          logger: options.logger.child({ component }),
        });
        recorders.set(component, recorder);
      }
      return recorder;
    },
  };
}

/**
 * The Controller options that follow from the flags, to spread into `new Controller({...})`:
 * `new Controller({ ...controllerDefaults(context), name, resource, reconcile })`.
 */
export function controllerDefaults(context: ControllerContext) {
  const { settings } = context;
  return {
    kubeConfig: context.kubeConfig,
    logger: context.logger,
    metrics: context.metrics,
    concurrency: settings.concurrent,
    namespace: settings.watchNamespace,
    labelSelector: settings.watchLabelSelector,
    minRetryDelayMs: settings.minRetryDelayMs,
    maxRetryDelayMs: settings.maxRetryDelayMs,
    jitter: settings.intervalJitter,
  } as const;
}
