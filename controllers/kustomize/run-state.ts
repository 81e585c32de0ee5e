import type { Logger } from 'pino';
import {
  type Condition,
  type ConditionContext,
  ConditionType,
  isConditionTrue,
} from '../../api/index.ts';
import type { InventoryEntry } from '../apply/index.ts';
import { type ObjectKey, type ReconcileRequest, requestedAt } from '../runtime/index.ts';
import type { KustomizationObject } from './kustomization-object.ts';
import { revisionEventAnnotation } from './report.ts';
import type { ResolvedSource } from './source-step.ts';

/** The state of one run, owned by the reconciler; steps only see what they are handed. */
export interface Run {
  readonly key: ObjectKey;
  /** The object as the run found it. */
  readonly start: KustomizationObject;
  readonly context: ConditionContext;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly startedAt: number;
  /** The object as last written by this run. */
  latest: KustomizationObject;
  conditions: Condition[];
  /** Whether this run has anything new to say: generation, revision, request or failure. */
  isNewRun: boolean;
  /**
   * Whether progress conditions are written at each step. Not for a run that is new only by a
   * reconcile request on a Ready object at an unchanged generation and revision: its one write
   * is the final status, which records the request.
   */
  reportsProgress: boolean;
  revision: string | undefined;
  attemptedRevision: string | undefined;
  inventory: readonly InventoryEntry[] | undefined;
}

export function startRun(
  object: KustomizationObject,
  request: ReconcileRequest<KustomizationObject>,
  now: Date,
): Run {
  const status = object.status ?? {};
  return {
    key: request.key,
    start: object,
    context: { now, observedGeneration: object.metadata.generation ?? 0 },
    signal: request.signal,
    logger: request.logger,
    startedAt: performance.now(),
    latest: object,
    conditions: [...(status.conditions ?? [])],
    isNewRun: false,
    reportsProgress: false,
    revision: undefined,
    attemptedRevision: status.lastAttemptedRevision,
    inventory: status.inventory?.entries,
  };
}

/**
 * Flux re-runs every interval; a run is new when the generation, the revision or a reconcile
 * request changed, or the last run did not end Ready. Only new runs write progress and events,
 * so that a no-op run writes nothing.
 */
export function isNewRun(run: Run, source: ResolvedSource): boolean {
  const status = run.start.status ?? {};
  const handled = requestedAt(run.start);
  return (
    run.context.observedGeneration !== status.observedGeneration ||
    source.artifact.revision !== status.lastAppliedRevision ||
    (handled !== undefined && handled !== status.lastHandledReconcileAt) ||
    !isConditionTrue(status.conditions, ConditionType.Ready)
  );
}

/** A new run for more than a reconcile request: its progress is worth a write per step. */
export function reportsProgress(run: Run, source: ResolvedSource): boolean {
  const status = run.start.status ?? {};
  return (
    run.context.observedGeneration !== status.observedGeneration ||
    source.artifact.revision !== status.lastAppliedRevision ||
    !isConditionTrue(status.conditions, ConditionType.Ready)
  );
}

/** The status fields every write of a run carries. */
export function statusFields(run: Run): Record<string, unknown> {
  return {
    conditions: run.conditions,
    ...(run.attemptedRevision !== undefined && { lastAttemptedRevision: run.attemptedRevision }),
    ...(run.inventory !== undefined && { inventory: { entries: run.inventory } }),
  };
}

/**
 * The status fields of a run's last write: also `lastHandledReconcileAt`, which (as in Flux)
 * is recorded only once the run has finished, so that a client waiting for its request to be
 * handled never sees it while the apply is still in progress.
 */
export function finalStatusFields(run: Run): Record<string, unknown> {
  const handled = requestedAt(run.start);
  return {
    ...statusFields(run),
    ...(handled !== undefined && { lastHandledReconcileAt: handled }),
  };
}

/** Event annotations naming the revision, as Flux puts on a Kustomization's events. */
export function eventAnnotations(revision: string | undefined): Record<string, string> | undefined {
  return revision ? { [revisionEventAnnotation]: revision } : undefined;
}
