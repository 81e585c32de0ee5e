import { throwIfAborted } from './abort.ts';
import { ApplyError, isApplyError } from './apply-error.ts';
import { type ChangeAction, type ChangeSetEntry, changeSetEntry } from './change-set.ts';
import { hasDrifted } from './drift.ts';
import { type DynamicClient, referenceOf } from './dynamic-client.ts';
import {
  anyInMetadata,
  applyExclusions,
  forceSelector,
  ifNotPresentSelector,
} from './flux-metadata.ts';
import { type KubeObject, parseApiVersion } from './kube-object.ts';
import { isKubeStatusError, KubeStatusError } from './kube-transport.ts';
import { type JsonPatchOperation, metadataCleanupPatch } from './metadata-cleanup.ts';
import { formatSubject, objMetadataOf } from './object-metadata.ts';

export interface ApplySettings {
  readonly fieldManager: string;
  readonly force: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** What applying one object will do, decided by a dry-run before any write. */
export interface ObjectPlan {
  readonly object: KubeObject;
  readonly existing: KubeObject | undefined;
  readonly action: ChangeAction;
  /** An immutable field changed and force applies: delete, then create. */
  readonly recreate: boolean;
  /** Flux's metadata cleanup to send before the apply (kubectl managers taken over). */
  readonly cleanup: readonly JsonPatchOperation[];
}

export function subjectOf(object: KubeObject): string {
  return formatSubject(objMetadataOf(object));
}

export function entryOf(object: KubeObject, action: ChangeAction): ChangeSetEntry {
  return changeSetEntry(objMetadataOf(object), parseApiVersion(object.apiVersion).version, action);
}

// Flux detects immutability as kubectl does (any Conflict or Invalid), plus the messages of
// CEL rules and admission webhooks. It over-matches on purpose: a StatefulSet spec change is
// "Forbidden" inside a 422 without the word immutable.
const immutableMessages = [/is\simmutable/, /immutable\sfield/];

export function isImmutableError(error: unknown): boolean {
  if (isKubeStatusError(error, 409) || isKubeStatusError(error, 422)) return true;
  const message = error instanceof Error ? error.message : '';
  return immutableMessages.some((pattern) => pattern.test(message));
}

/** Flux's `DryRunErr` wording, plus what to do when the cause is an immutable field. */
export function dryRunError(object: KubeObject, error: unknown): ApplyError {
  const subject = subjectOf(object);
  if (isApplyError(error)) {
    return new ApplyError('DryRunFailed', `${subject} dry-run failed: ${error.message}`, {
      subject,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof KubeStatusError) {
    const statusCode = error.statusCode;
    if (statusCode === 404) {
      const text = object.metadata.namespace
        ? `${subject} not found: ${message}`
        : `${subject} namespace not specified: ${message}`;
      return new ApplyError('DryRunFailed', text, { subject, statusCode, cause: error });
    }
    const hint =
      statusCode === 422 && /immutable/.test(message)
        ? '; set spec.force to recreate objects whose immutable fields changed'
        : '';
    return new ApplyError(
      'DryRunFailed',
      `${subject} dry-run failed (${error.reason}): ${message}${hint}`,
      { subject, statusCode, cause: error },
    );
  }
  return new ApplyError('DryRunFailed', `${subject} dry-run failed: ${message}`, {
    subject,
    cause: error,
  });
}

/**
 * Reads the live object and dry-runs the apply: the object is skipped (excluded by Flux's
 * annotations), unchanged (dry-run equals live), created or configured, or to be recreated.
 * Writes nothing.
 */
export async function planObject(
  client: DynamicClient,
  object: KubeObject,
  settings: ApplySettings,
): Promise<ObjectPlan> {
  try {
    const mapping = await client.mapper.mapping(object.apiVersion, object.kind);
    // The apiserver drops a namespace given to a cluster object; so do we, so the inventory
    // id matches what Flux records from the apiserver's answer.
    if (!mapping.namespaced) delete object.metadata.namespace;
  } catch (error) {
    throw dryRunError(object, error);
  }
  let existing: KubeObject | undefined;
  try {
    existing = await client.get(referenceOf(object), settings.signal);
  } catch (error) {
    throwIfAborted(settings.signal, 'apply');
    // Flux ignores read errors here (a ServiceAccount may patch but not get); the dry-run
    // then decides. A namespaced object without a namespace fails here.
    if (isApplyError(error)) throw dryRunError(object, error);
    existing = undefined;
  }
  if (anyInMetadata(object, applyExclusions) || anyInMetadata(existing, applyExclusions)) {
    return { object, existing, action: 'skipped', recreate: false, cleanup: [] };
  }
  if (existing && anyInMetadata(object, ifNotPresentSelector)) {
    return { object, existing, action: 'skipped', recreate: false, cleanup: [] };
  }
  let dryRun: KubeObject;
  try {
    dryRun = await client.apply(object, { ...applyOptions(settings), dryRun: true });
  } catch (error) {
    throwIfAborted(settings.signal, 'apply');
    const forced =
      settings.force ||
      anyInMetadata(object, forceSelector) ||
      anyInMetadata(existing, forceSelector);
    if (existing && forced && isImmutableError(error)) {
      return { object, existing, action: 'created', recreate: true, cleanup: [] };
    }
    throw dryRunError(object, error);
  }
  const cleanup = metadataCleanupPatch(object, existing, settings.fieldManager);
  if (cleanup.length === 0 && !hasDrifted(existing, dryRun)) {
    return { object, existing, action: 'unchanged', recreate: false, cleanup };
  }
  const action = dryRun.metadata.resourceVersion ? 'configured' : 'created';
  return { object, existing, action, recreate: false, cleanup };
}

function applyOptions(settings: ApplySettings): {
  fieldManager: string;
  force: boolean;
  signal?: AbortSignal;
} {
  // Flux always applies with ForceOwnership: the Kustomization wins over other managers.
  return {
    fieldManager: settings.fieldManager,
    force: true,
    ...(settings.signal ? { signal: settings.signal } : {}),
  };
}

/** Carries out a plan: nothing for unchanged or skipped objects, one apply otherwise. */
export async function executePlan(
  client: DynamicClient,
  plan: ObjectPlan,
  settings: ApplySettings & { readonly deleteTimeoutMs: number },
): Promise<ChangeSetEntry> {
  const { object } = plan;
  if (plan.action === 'unchanged' || plan.action === 'skipped') return entryOf(object, plan.action);
  if (plan.recreate) await recreate(client, plan, settings);
  try {
    if (plan.cleanup.length > 0)
      await client.jsonPatch(referenceOf(object), plan.cleanup, settings.fieldManager);
    await client.apply(object, { ...applyOptions(settings), dryRun: false });
  } catch (error) {
    const subject = subjectOf(object);
    const message = error instanceof Error ? error.message : String(error);
    throw new ApplyError('ApplyFailed', `${subject} apply failed: ${message}`, {
      subject,
      ...(error instanceof KubeStatusError ? { statusCode: error.statusCode } : {}),
      cause: error,
    });
  }
  return entryOf(object, plan.action);
}

/** Deletes the live object, waits until it is gone (finalizers), and dry-runs the new one. */
async function recreate(
  client: DynamicClient,
  plan: ObjectPlan,
  settings: ApplySettings & { readonly deleteTimeoutMs: number },
): Promise<void> {
  const { object } = plan;
  const subject = subjectOf(object);
  const ref = referenceOf(object);
  try {
    await client.delete(ref, {
      propagationPolicy: 'Background',
      ...(settings.signal ? { signal: settings.signal } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ApplyError(
      'ApplyFailed',
      `${subject} immutable field detected, failed to delete object: ${message}`,
      { subject, cause: error },
    );
  }
  const deadline = Date.now() + settings.deleteTimeoutMs;
  while (await client.get(ref, settings.signal)) {
    if (Date.now() > deadline) {
      throw new ApplyError(
        'ApplyFailed',
        `${subject} immutable field detected, timed out waiting for the object to be deleted`,
        { subject },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    await client.apply(object, { ...applyOptions(settings), dryRun: true });
  } catch (error) {
    throw dryRunError(object, error);
  }
}
