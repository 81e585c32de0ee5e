import {
  formatDuration,
  type GitRepository,
  type Kustomization,
  kustomizationRetryIntervalMs,
  Reason,
  type ResolvedSourceRef,
  resolveSourceRef,
} from '../../api/index.ts';
import type { SourceArtifact } from './build-engine.ts';
import { StepError } from './step-error.ts';
import { AccessDeniedError, StepWait } from './step-outcome.ts';

export interface SourceStepContext {
  /** `--no-cross-namespace-refs`. */
  readonly noCrossNamespaceRefs: boolean;
  /** `--requeue-dependency`: how soon to look again for an artifact. */
  readonly requeueDependencyMs: number;
  getGitRepository(namespace: string, name: string): Promise<GitRepository | undefined>;
}

export interface ResolvedSource {
  readonly ref: ResolvedSourceRef;
  readonly artifact: SourceArtifact;
}

/**
 * Flux's getSource plus the artifact check: the GitRepository the Kustomization points at and
 * its current artifact. A blocked cross-namespace reference stalls (AccessDenied); a missing
 * source is retried at retryInterval, a missing artifact at `--requeue-dependency`.
 */
export async function resolveSource(
  ks: Kustomization,
  context: SourceStepContext,
): Promise<ResolvedSource> {
  const resolution = resolveSourceRef(ks, context);
  if (!resolution.ok) {
    if (resolution.reason === 'AccessDenied') throw new AccessDeniedError(resolution.message);
    throw new StepError(Reason.ArtifactFailed, resolution.message, { retryable: false });
  }
  const { ref } = resolution;
  let repository: GitRepository | undefined;
  try {
    repository = await context.getGitRepository(ref.namespace, ref.name);
  } catch (error) {
    throw new StepError(
      Reason.ArtifactFailed,
      `unable to get source '${ref.namespace}/${ref.name}': ${messageOf(error)}`,
      { cause: error },
    );
  }
  if (repository === undefined) {
    throw new StepWait(
      Reason.ArtifactFailed,
      `gitrepositories.source.toolkit.fluxcd.io "${ref.name}" not found`,
      { requeueAfterMs: kustomizationRetryIntervalMs(ks) },
    );
  }
  const artifact = repository.status?.artifact;
  if (!artifact?.url || !artifact.revision || !artifact.digest) {
    const after = context.requeueDependencyMs;
    throw new StepWait(
      Reason.ArtifactFailed,
      `Source artifact not found, retrying in ${formatDuration(after)}`,
      { requeueAfterMs: after },
    );
  }
  return {
    ref,
    artifact: { url: artifact.url, revision: artifact.revision, digest: artifact.digest },
  };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
