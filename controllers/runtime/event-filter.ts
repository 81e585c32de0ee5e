import type { KubernetesObject } from '@kubernetes/client-node';

/** Flux's annotation for "reconcile now" (`flux reconcile` sets it to a timestamp). */
export const REQUESTED_AT_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

/**
 * What about an object asks for a reconcile: its spec (generation), a manual request
 * (`requestedAt`), or its deletion. Flux's controllers filter watch events the same way
 * (GenerationChangedPredicate or ReconcileRequestedPredicate), which is what keeps a
 * reconcile's own status write from queueing it again: status updates do not bump the
 * generation of a custom resource with a status subresource.
 */
export function reconcileTrigger(object: KubernetesObject): string {
  const metadata = object.metadata;
  return JSON.stringify([
    metadata?.generation ?? null,
    metadata?.annotations?.[REQUESTED_AT_ANNOTATION] ?? null,
    metadata?.deletionTimestamp ? String(metadata.deletionTimestamp) : null,
  ]);
}

/** The `requestedAt` value of an object, which reconcilers copy to `status.lastHandledReconcileAt`. */
export function requestedAt(object: KubernetesObject): string | undefined {
  return object.metadata?.annotations?.[REQUESTED_AT_ANNOTATION];
}
