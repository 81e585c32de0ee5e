import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueObserver } from './work-queue.ts';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue_after';

interface ConditionLike {
  readonly type?: unknown;
  readonly status?: unknown;
}

const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

/**
 * The controller's Prometheus metrics under Flux's and controller-runtime's names, so existing
 * dashboards and alerts (`gotk_reconcile_duration_seconds`, `workqueue_depth`, ...) keep
 * working.
 */
export class RuntimeMetrics {
  readonly registry: Registry;
  readonly #reconcileDuration: Histogram<'kind' | 'name' | 'namespace'>;
  readonly #condition: Gauge<'kind' | 'name' | 'namespace' | 'type' | 'status'>;
  readonly #suspend: Gauge<'kind' | 'name' | 'namespace'>;
  readonly #reconcileTotal: Counter<'controller' | 'result'>;
  readonly #reconcileErrors: Counter<'controller'>;
  readonly #reconcileTime: Histogram<'controller'>;
  readonly #activeWorkers: Gauge<'controller'>;
  readonly #maxConcurrent: Gauge<'controller'>;
  readonly #queueDepth: Gauge<'name'>;
  readonly #queueAdds: Counter<'name'>;
  readonly #queueRetries: Counter<'name'>;
  readonly #queueWait: Histogram<'name'>;
  readonly #queueWork: Histogram<'name'>;
  readonly #watchRestarts: Counter<'resource'>;
  readonly #leader: Gauge<'name'>;
  /** Condition series per object, so a deleted object's series can be dropped. */
  readonly #conditionSeries = new Map<string, Set<string>>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    this.registry = new Registry();
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const queueBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];
    this.#reconcileDuration = new Histogram({
      name: 'gotk_reconcile_duration_seconds',
      help: 'The duration in seconds of a GitOps Toolkit resource reconciliation.',
      labelNames: ['kind', 'name', 'namespace'],
      // Flux's buckets: exponential from 10 ms by factor 10, five of them.
      buckets: [0.01, 0.1, 1, 10, 100],
      registers,
    });
    this.#condition = new Gauge({
      name: 'gotk_reconcile_condition',
      help: 'The current condition status of a GitOps Toolkit resource reconciliation.',
      labelNames: ['kind', 'name', 'namespace', 'type', 'status'],
      registers,
    });
    this.#suspend = new Gauge({
      name: 'gotk_suspend_status',
      help: 'The current suspend status of a GitOps Toolkit resource.',
      labelNames: ['kind', 'name', 'namespace'],
      registers,
    });
    this.#reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.#reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
      registers,
    });
    this.#activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#queueDepth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
    });
    this.#queueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.#queueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.#queueWait = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: queueBuckets,
      registers,
    });
    this.#queueWork = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name'],
      buckets: queueBuckets,
      registers,
    });
    this.#watchRestarts = new Counter({
      name: 'kustodian_watch_restarts_total',
      help: 'Watches restarted after a failure (cut connection, apiserver down, 5xx)',
      labelNames: ['resource'],
      registers,
    });
    this.#leader = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers,
    });
  }

  queueObserver(name: string): QueueObserver {
    return {
      depth: (depth) => this.#queueDepth.set({ name }, depth),
      added: () => this.#queueAdds.inc({ name }),
      retried: () => this.#queueRetries.inc({ name }),
      waited: (seconds) => this.#queueWait.observe({ name }, seconds),
      worked: (seconds) => this.#queueWork.observe({ name }, seconds),
    };
  }

  setMaxConcurrent(controller: string, value: number): void {
    this.#maxConcurrent.set({ controller }, value);
  }

  workerStarted(controller: string): void {
    this.#activeWorkers.inc({ controller });
  }

  workerFinished(controller: string): void {
    this.#activeWorkers.dec({ controller });
  }

  recordReconcile(
    controller: string,
    object: { kind: string; namespace: string; name: string },
    seconds: number,
    result: ReconcileResultLabel,
  ): void {
    const { kind, namespace, name } = object;
    this.#reconcileDuration.observe({ kind, name, namespace }, seconds);
    this.#reconcileTime.observe({ controller }, seconds);
    this.#reconcileTotal.inc({ controller, result });
    if (result === 'error') this.#reconcileErrors.inc({ controller });
  }

  /** Mirrors an object's status conditions, one series per type and status, as Flux does. */
  recordConditions(
    object: { kind: string; namespace: string; name: string },
    conditions: readonly ConditionLike[],
    suspended: boolean,
  ): void {
    const { kind, namespace, name } = object;
    const id = `${kind}/${namespace}/${name}`;
    const types = new Set<string>();
    for (const condition of conditions) {
      if (typeof condition.type !== 'string') continue;
      types.add(condition.type);
      for (const status of CONDITION_STATUSES) {
        const value = condition.status === status ? 1 : 0;
        this.#condition.set({ kind, name, namespace, type: condition.type, status }, value);
      }
    }
    for (const stale of this.#conditionSeries.get(id) ?? []) {
      if (!types.has(stale)) this.#removeCondition(object, stale);
    }
    this.#conditionSeries.set(id, types);
    this.#suspend.set({ kind, name, namespace }, suspended ? 1 : 0);
  }

  forgetObject(object: { kind: string; namespace: string; name: string }): void {
    const { kind, namespace, name } = object;
    const id = `${kind}/${namespace}/${name}`;
    for (const type of this.#conditionSeries.get(id) ?? []) this.#removeCondition(object, type);
    this.#conditionSeries.delete(id);
    this.#suspend.remove({ kind, name, namespace });
    this.#reconcileDuration.remove({ kind, name, namespace });
  }

  watchRestarted(resource: string): void {
    this.#watchRestarts.inc({ resource });
  }

  setLeader(name: string, isLeader: boolean): void {
    this.#leader.set({ name }, isLeader ? 1 : 0);
  }

  #removeCondition(object: { kind: string; namespace: string; name: string }, type: string): void {
    const { kind, namespace, name } = object;
    for (const status of CONDITION_STATUSES) {
      this.#condition.remove({ kind, name, namespace, type, status });
    }
  }
}
