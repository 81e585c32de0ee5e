import {
  type Artifact,
  type GitRepository,
  type GitRepositoryInclude,
  gitVerificationMode,
} from '../../api/index.ts';

/** Flux's `GetToPath`: the included repository's name when toPath is empty. */
export function includeToPath(include: GitRepositoryInclude): string {
  return include.toPath || include.repository.name;
}

export function includeFromPath(include: GitRepositoryInclude): string {
  return include.fromPath ?? '';
}

function sameInclude(a: GitRepositoryInclude, b: GitRepositoryInclude | undefined): boolean {
  return (
    b !== undefined &&
    a.repository.name === b.repository.name &&
    (a.fromPath ?? '') === (b.fromPath ?? '') &&
    (a.toPath ?? '') === (b.toPath ?? '')
  );
}

/**
 * Whether the signatures must be checked again although the revision did not move: never
 * verified, or the mode now covers what the last verification did not (Flux's
 * `requiresVerification`).
 */
export function requiresVerification(object: GitRepository): boolean {
  const verify = object.spec.verify;
  if (verify === undefined) return false;
  const observed = object.status?.sourceVerificationMode;
  if (observed === undefined) return true;
  const mode = gitVerificationMode(verify.mode);
  const observedMode = gitVerificationMode(observed as 'HEAD' | 'Tag' | 'TagAndHEAD');
  if (observedMode === 'Tag' && mode !== 'Tag') return true;
  if (observedMode === 'HEAD' && mode !== 'HEAD') return true;
  return false;
}

/** Whether the included artifacts differ from those the stored artifact was built with. */
export function includedArtifactsDiffer(
  current: readonly Artifact[],
  observed: readonly Artifact[] | undefined,
): boolean {
  const last = observed ?? [];
  if (current.length !== last.length) return true;
  return current.some(
    (artifact, index) =>
      artifact.revision !== last[index]?.revision || artifact.digest !== last[index]?.digest,
  );
}

/**
 * Flux's `gitContentConfigChanged`: the settings that shape the artifact's content (ignore,
 * submodules, includes, sparse checkout, verification) differ from the ones the stored artifact
 * was built with, so the artifact is rebuilt even when the remote revision is unchanged.
 */
export function contentConfigChanged(
  object: GitRepository,
  includes: readonly Artifact[],
): boolean {
  const { spec } = object;
  const status = object.status ?? {};
  if ((spec.ignore ?? undefined) !== (status.observedIgnore ?? undefined)) return true;
  if ((spec.recurseSubmodules ?? false) !== (status.observedRecurseSubmodules ?? false))
    return true;
  if (requiresVerification(object)) return true;
  const sparse = spec.sparseCheckout ?? [];
  const observedSparse = status.observedSparseCheckout ?? [];
  if (sparse.length !== observedSparse.length) return true;
  if (sparse.some((dir, index) => dir !== observedSparse[index])) return true;
  const specIncludes = spec.include ?? [];
  const observedIncludes = status.observedInclude ?? [];
  if (specIncludes.length !== observedIncludes.length) return true;
  if (specIncludes.some((include, index) => !sameInclude(include, observedIncludes[index])))
    return true;
  return includedArtifactsDiffer(includes, status.includedArtifacts);
}
