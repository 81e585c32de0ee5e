import {
  ConditionType,
  findCondition,
  formatDuration,
  type Kustomization,
  Reason,
} from '../../api/index.ts';
import type { ResolvedSource } from './source-step.ts';
import { messageOf } from './source-step.ts';
import { StepWait } from './step-outcome.ts';

export interface DependenciesContext {
  /** `--requeue-dependency`. */
  readonly requeueDependencyMs: number;
  getKustomization(namespace: string, name: string): Promise<Kustomization | undefined>;
}

/**
 * Flux's checkDependencies: every `dependsOn` Kustomization exists, has observed its current
 * generation, is Ready, and — when it reads the same source — has applied the revision this
 * run is about to apply. Throws DependencyNotReady, to be retried at `--requeue-dependency`.
 */
export async function checkDependencies(
  ks: Kustomization,
  source: ResolvedSource,
  context: DependenciesContext,
): Promise<void> {
  const own = ks.metadata.namespace ?? '';
  for (const dependency of ks.spec.dependsOn ?? []) {
    const namespace = dependency.namespace || own;
    const name = `${namespace}/${dependency.name}`;
    let found: Kustomization | undefined;
    try {
      found = await context.getKustomization(namespace, dependency.name);
    } catch (error) {
      throw notReady(`dependency '${name}' not found: ${messageOf(error)}`, context, error);
    }
    if (found === undefined) {
      throw notReady(
        `dependency '${name}' not found: kustomizations.kustomize.toolkit.fluxcd.io "${dependency.name}" not found`,
        context,
      );
    }
    const status = found.status ?? {};
    const ready = findCondition(status.conditions, ConditionType.Ready);
    if (
      (status.conditions ?? []).length === 0 ||
      found.metadata.generation !== status.observedGeneration ||
      ready?.status !== 'True'
    ) {
      throw notReady(`dependency '${name}' is not ready`, context);
    }
    const dependencySource = found.spec.sourceRef;
    const sameSource =
      dependencySource.kind === source.ref.kind &&
      dependencySource.name === source.ref.name &&
      (dependencySource.namespace || namespace) === source.ref.namespace;
    if (sameSource && !hasRevision(source.artifact.revision, status.lastAppliedRevision)) {
      throw notReady(`dependency '${name}' revision is not up to date`, context);
    }
  }
}

/**
 * Flux's Artifact.HasRevision: equal, or equal once the legacy `branch/hash` form is read as
 * `branch@sha1:hash`.
 */
function hasRevision(current: string, applied: string | undefined): boolean {
  if (applied === undefined || applied === '') return false;
  if (current === applied) return true;
  const legacy = /^(.*)\/([0-9a-f]{40})$/.exec(applied);
  return legacy !== null && current === `${legacy[1]}@sha1:${legacy[2]}`;
}

function notReady(message: string, context: DependenciesContext, cause?: unknown): StepWait {
  const after = context.requeueDependencyMs;
  return new StepWait(Reason.DependencyNotReady, message, {
    requeueAfterMs: after,
    notice: `Dependencies do not meet ready condition, retrying in ${formatDuration(after)}`,
    cause,
  });
}
