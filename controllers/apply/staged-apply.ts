import { throwIfAborted } from './abort.ts';
import { ApplyError, isApplyError } from './apply-error.ts';
import { type ApplyStage, splitStages } from './apply-order.ts';
import { type ChangeSetEntry, hasChanged } from './change-set.ts';
import { type DynamicClient, referenceOf } from './dynamic-client.ts';
import { defaultFieldManager, type Owner, setOwnerLabels } from './flux-metadata.ts';
import { waitForSet } from './health-wait.ts';
import { isRecord, type KubeObject, toKubeObject } from './kube-object.ts';
import { mapLimit } from './map-limit.ts';
import { normalizeForApply } from './normalize.ts';
import { formatObjMetadata, objMetadataOf } from './object-metadata.ts';
import { type ApplySettings, executePlan, type ObjectPlan, planObject } from './object-plan.ts';

export interface ApplyOptions {
  /** The Kustomization owning the objects: its name/namespace labels go on every object. */
  readonly owner?: Owner;
  /** Field manager of the server-side apply; Flux's is `kustomize-controller`. */
  readonly fieldManager?: string;
  /** Recreate objects whose immutable fields changed (`spec.force`). */
  readonly force?: boolean;
  /** How long to wait for CRDs, Namespaces and classes to be ready between stages. */
  readonly waitTimeoutMs?: number;
  readonly waitIntervalMs?: number;
  /** Parallel reads and dry-runs; writes stay sequential in apply order. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/**
 * Server-side applies a set of objects in Flux's stages: CRDs, Namespaces and ClusterRoles,
 * waited for; then `*Class` kinds, waited for; then the rest, each stage in Flux's kind
 * order. Unchanged objects cost a read and a dry-run, no write.
 *
 * Every object of every stage is dry-run before the first write, so an invalid object means
 * nothing is applied. Flux validates stage by stage; we go further and only defer objects
 * that cannot be dry-run yet because their Namespace or CRD is created by this same set.
 * Those are validated when their stage comes; a failure there leaves the earlier stages
 * applied, as in Flux, and the error carries that change set.
 */
export async function applyStaged(
  client: DynamicClient,
  input: readonly unknown[],
  options: ApplyOptions = {},
): Promise<ChangeSetEntry[]> {
  const objects = prepareObjects(input, options.owner);
  const settings: ApplySettings = {
    fieldManager: options.fieldManager ?? defaultFieldManager,
    force: options.force ?? false,
    signal: options.signal,
  };
  const concurrency = options.concurrency ?? 4;
  const waitTimeoutMs = options.waitTimeoutMs ?? 60_000;
  const stages = splitStages(objects);
  throwIfAborted(options.signal, 'apply');

  const validated = await validateAll(client, stages, settings, concurrency);
  const entries: ChangeSetEntry[] = [];
  let earlierStageChanged = false;
  for (const stage of stages) {
    throwIfAborted(options.signal, 'apply');
    let plans: ObjectPlan[];
    try {
      plans = await mapLimit(stage.objects, concurrency, async (object) => {
        const plan = validated.get(object);
        // A write in an earlier stage (a CRD schema, a Namespace) can change the answer.
        return plan && !earlierStageChanged ? plan : planObject(client, object, settings);
      });
    } catch (error) {
      throw withChangeSet(error, entries);
    }
    for (const plan of plans) {
      try {
        throwIfAborted(options.signal, 'apply');
        entries.push(
          await executePlan(client, plan, { ...settings, deleteTimeoutMs: waitTimeoutMs }),
        );
      } catch (error) {
        throw withChangeSet(error, entries);
      }
    }
    if (entries.some((entry) => hasChanged(entry.action))) earlierStageChanged = true;
    if (stage.waitForReady) {
      const references = plans
        .filter((p) => p.action !== 'skipped')
        .map((p) => referenceOf(p.object));
      const outcome = await waitForSet(client, references, {
        timeoutMs: waitTimeoutMs,
        intervalMs: options.waitIntervalMs ?? 2_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!outcome.healthy) {
        throw new ApplyError('WaitFailed', `${stage.name} not ready: ${outcome.message}`, {
          changeSet: entries,
        });
      }
    }
    if (stage.name === 'definitions') {
      await waitForServedKinds(client, objects, waitTimeoutMs, options.signal).catch((error) => {
        throw withChangeSet(error, entries);
      });
    }
  }
  return entries;
}

/**
 * Discovery serves a new CRD's kind a moment after the CRD is Established; polls until every
 * kind this set uses from its own CRDs resolves, so the next stage does not fail on the lag.
 */
async function waitForServedKinds(
  client: DynamicClient,
  objects: readonly KubeObject[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const kinds = new Set(objects.flatMap(definedKind));
  const pending = objects.filter((object) => {
    const { group, kind } = objMetadataOf(object);
    return kinds.has(`${group}/${kind}`);
  });
  const deadline = Date.now() + timeoutMs;
  for (const object of pending) {
    for (;;) {
      try {
        await client.mapper.mapping(object.apiVersion, object.kind);
        break;
      } catch (error) {
        if (!isApplyError(error, 'UnknownKind') || Date.now() > deadline || signal?.aborted) {
          throw new ApplyError(
            'WaitFailed',
            `${object.kind} ${object.apiVersion} is not served after its CRD was applied: ${
              error instanceof Error ? error.message : error
            }`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

function prepareObjects(input: readonly unknown[], owner: Owner | undefined): KubeObject[] {
  const seen = new Set<string>();
  return input.map((value, index) => {
    const object = toKubeObject(value, `object #${index + 1}`);
    const id = formatObjMetadata(objMetadataOf(object));
    if (seen.has(id)) {
      throw new ApplyError(
        'InvalidObject',
        `object #${index + 1} (${id}) appears twice in the set`,
      );
    }
    seen.add(id);
    normalizeForApply(object);
    if (owner) setOwnerLabels(object, owner);
    return object;
  });
}

/**
 * Dry-runs every object before any write. Objects of a later stage may fail only because
 * their Namespace or CRD is part of this set and does not exist yet: those are deferred.
 * Every other failure is collected and thrown together.
 */
async function validateAll(
  client: DynamicClient,
  stages: readonly ApplyStage[],
  settings: ApplySettings,
  concurrency: number,
): Promise<Map<KubeObject, ObjectPlan>> {
  const all = stages.flatMap((stage) => stage.objects);
  const namespaces = new Set(all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const kinds = new Set(all.flatMap(definedKind));
  const firstStage = new Set(stages[0]?.objects ?? []);
  const plans = new Map<KubeObject, ObjectPlan>();
  const failed = new Map<KubeObject, ApplyError>();
  await mapLimit(all, concurrency, async (object) => {
    try {
      plans.set(object, await planObject(client, object, settings));
    } catch (error) {
      if (!isApplyError(error) || error.code === 'Aborted') throw error;
      if (!firstStage.has(object) && waitsForSet(object, error, namespaces, kinds)) return;
      failed.set(object, error);
    }
  });
  // Reported in apply order, whatever order the parallel dry-runs finished in.
  const failures = all.flatMap((object) => failed.get(object) ?? []);
  if (failures.length === 1 && failures[0]) throw failures[0];
  if (failures.length > 1) {
    throw new ApplyError(
      'DryRunFailed',
      `${failures.length} objects failed the dry-run, nothing was applied:\n` +
        failures.map((f) => f.message).join('\n'),
      { subject: failures[0]?.subject, statusCode: failures[0]?.statusCode, cause: failures[0] },
    );
  }
  return plans;
}

/** `group/Kind` served by a CRD object. */
function definedKind(object: KubeObject): string[] {
  if (object.kind !== 'CustomResourceDefinition') return [];
  const spec = isRecord(object.spec) ? object.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  return typeof spec.group === 'string' && typeof names.kind === 'string'
    ? [`${spec.group}/${names.kind}`]
    : [];
}

function waitsForSet(
  object: KubeObject,
  error: ApplyError,
  namespaces: ReadonlySet<string>,
  kinds: ReadonlySet<string>,
): boolean {
  const { namespace } = object.metadata;
  if (error.statusCode === 404 && namespace !== undefined && namespaces.has(namespace)) return true;
  const cause = error.cause;
  if (isApplyError(cause, 'UnknownKind')) {
    const { group, kind } = objMetadataOf(object);
    return kinds.has(`${group}/${kind}`);
  }
  return false;
}

function withChangeSet(error: unknown, entries: readonly ChangeSetEntry[]): unknown {
  return isApplyError(error) ? error.withChangeSet([...entries]) : error;
}
