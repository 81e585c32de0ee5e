import { formatDuration, type Kustomization, Reason } from '../../api/index.ts';
import {
  CelHealthError,
  type CelStatusReader,
  type ChangeSetEntry,
  compileHealthChecks,
  type DynamicClient,
  entryReference,
  type ObjectReference,
  waitForSet,
} from '../apply/index.ts';
import { StepError } from './step-error.ts';
import { InvalidCelExpressionError } from './step-outcome.ts';

export type HealthResult =
  | { readonly checked: false }
  | { readonly checked: true; readonly message: string };

/** The objects to assess: every applied object with `wait`, else `spec.healthChecks`. */
export function healthTargets(
  ks: Kustomization,
  changeSet: readonly ChangeSetEntry[],
): ObjectReference[] {
  const targets: ObjectReference[] =
    ks.spec.wait === true
      ? changeSet.filter((entry) => entry.action !== 'skipped').map(entryReference)
      : (ks.spec.healthChecks ?? []).map((ref) => ({
          apiVersion: ref.apiVersion ?? '',
          kind: ref.kind,
          name: ref.name,
          namespace: ref.namespace || undefined,
        }));
  // A Kustomization that applies itself would wait on its own Ready forever.
  return targets.filter(
    (ref) =>
      !(
        ref.kind === 'Kustomization' &&
        ref.name === ks.metadata.name &&
        ref.namespace === ks.metadata.namespace
      ),
  );
}

/**
 * Parses `spec.healthCheckExprs` before anything is fetched or applied, as Flux does; an
 * invalid expression stalls the Kustomization until its spec changes.
 */
export async function compileHealthExprs(ks: Kustomization): Promise<CelStatusReader | undefined> {
  try {
    return await compileHealthChecks(ks.spec.healthCheckExprs ?? []);
  } catch (error) {
    if (!(error instanceof CelHealthError)) throw error;
    const message = `Reconciliation failed terminally due to configuration error: spec.${error.message}`;
    throw new InvalidCelExpressionError(message, error);
  }
}

/**
 * kstatus health of the targets within `timeout`, polled every `intervalMs` (Flux: 5 s).
 * Throws HealthCheckFailed with Flux's message naming the objects that are not Current.
 * Kinds that `celStatus` knows are assessed by their healthCheckExprs instead of kstatus.
 */
export async function checkHealth(
  targets: readonly ObjectReference[],
  client: DynamicClient,
  options: {
    timeoutMs: number;
    intervalMs: number;
    signal: AbortSignal;
    celStatus?: CelStatusReader | undefined;
  },
): Promise<HealthResult> {
  if (targets.length === 0) return { checked: false };
  const started = performance.now();
  const { celStatus, ...wait } = options;
  const outcome = await waitForSet(client, targets, {
    ...wait,
    ...(celStatus && { statusOf: (object) => celStatus.statusOf(object) }),
  });
  if (!outcome.healthy) throw new StepError(Reason.HealthCheckFailed, outcome.message);
  const took = Math.round(performance.now() - started);
  return { checked: true, message: `Health check passed in ${formatDuration(took)}` };
}
