import { parseDuration } from './duration.ts';
import {
  type DefaultedGitRepository,
  type GitRepository,
  type GitVerificationMode,
  gitRepositorySchema,
} from './git-repository.ts';
import {
  type DefaultedKustomization,
  type Kustomization,
  kustomizationSchema,
} from './kustomization.ts';
import type { DeletionPolicy, SubstituteStrategy } from './kustomization-parts.ts';
import { applyNodeDefaults } from './schema/index.ts';

/**
 * The CRD defaults, applied as the apiserver applies them on create and read: for objects that
 * did not come through an apiserver (files read by the CLI, tests). Returns a new object.
 */
export function applyGitRepositoryDefaults(object: GitRepository): DefaultedGitRepository {
  return applyNodeDefaults(gitRepositorySchema, object) as DefaultedGitRepository;
}

export function applyKustomizationDefaults(object: Kustomization): DefaultedKustomization {
  return applyNodeDefaults(kustomizationSchema, object) as DefaultedKustomization;
}

// Defaults that Flux applies in code rather than in the CRD.

/** `verify.mode`, with Flux's older spelling `head` read as `HEAD`. */
export function gitVerificationMode(
  mode: GitVerificationMode | undefined,
): 'HEAD' | 'Tag' | 'TagAndHEAD' {
  if (mode === 'Tag' || mode === 'TagAndHEAD') return mode;
  return 'HEAD';
}

export function gitRepositoryIntervalMs(object: GitRepository): number {
  return parseDuration(object.spec.interval, 'spec.interval');
}

export function gitRepositoryTimeoutMs(object: GitRepository): number {
  return parseDuration(object.spec.timeout ?? '60s', 'spec.timeout');
}

export function kustomizationIntervalMs(object: Kustomization): number {
  return parseDuration(object.spec.interval, 'spec.interval');
}

const minimumKustomizationTimeoutMs = 30_000;

/**
 * As Flux's `GetTimeout`: spec.timeout, or else the interval less 30 s; never under 30 s.
 */
export function kustomizationTimeoutMs(object: Kustomization): number {
  const timeout =
    object.spec.timeout === undefined
      ? kustomizationIntervalMs(object) - 30_000
      : parseDuration(object.spec.timeout, 'spec.timeout');
  return Math.max(timeout, minimumKustomizationTimeoutMs);
}

/** How soon to retry a failed run: spec.retryInterval, or else spec.interval. */
export function kustomizationRetryIntervalMs(object: Kustomization): number {
  return object.spec.retryInterval === undefined
    ? kustomizationIntervalMs(object)
    : parseDuration(object.spec.retryInterval, 'spec.retryInterval');
}

export function kustomizationDeletionPolicy(object: Kustomization): DeletionPolicy {
  return object.spec.deletionPolicy ?? 'MirrorPrune';
}

/** Whether deleting the Kustomization deletes its objects, resolving MirrorPrune by prune. */
export function deletesObjectsOnDeletion(object: Kustomization): boolean {
  const policy = kustomizationDeletionPolicy(object);
  if (policy === 'MirrorPrune') return object.spec.prune;
  return policy === 'Delete' || policy === 'WaitForTermination';
}

export function substituteStrategy(object: Kustomization): SubstituteStrategy {
  return object.spec.postBuild?.substituteStrategy ?? 'WithVariables';
}

/** The namespace of the source: sourceRef.namespace, or else the Kustomization's own. */
export function sourceNamespace(object: Kustomization): string | undefined {
  return object.spec.sourceRef.namespace || object.metadata.namespace;
}
