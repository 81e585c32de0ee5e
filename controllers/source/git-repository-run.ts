import type { Logger } from 'pino';
import {
  type Artifact,
  type Condition,
  type ConditionContext,
  ConditionType,
  formatIssues,
  type GitRepository,
  Reason,
  removeCondition,
  setCondition,
  validateGitRepository,
} from '../../api/index.ts';
import type { KubeAccess } from '../runtime/index.ts';
import type { ArtifactStorage } from './artifact-storage.ts';
import { contentConfigChanged, includedArtifactsDiffer } from './git-repository-content.ts';
import { SourceFailure } from './git-repository-failure.ts';
import {
  archiveSource,
  checkoutSource,
  copyIncludes,
  fetchIncludes,
  ownerOf,
  readAuthSecret,
  readCommitSubject,
  verifySource,
} from './git-repository-steps.ts';

/** Marks the run as progressing (Ready=Unknown, and Reconciling=True when `reconciling`). */
export type Progress = (message: string, reconciling: boolean) => Promise<void>;

export interface RunDependencies {
  readonly kubeConfig: KubeAccess;
  readonly storage: ArtifactStorage;
  readonly requeueDependencyMs: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly getRepository: (namespace: string, name: string) => Promise<GitRepository | undefined>;
  readonly progress: Progress;
  /** Records a condition change between steps (a step that passed clears its failure). */
  readonly setConditions: (
    change: (conditions: Condition[], context: ConditionContext) => Condition[],
  ) => void;
  /** Values of the auth Secret, to scrub from every message that leaves the run. */
  readonly addSecrets: (values: readonly string[]) => void;
}

/** What a successful run observed, to be written to status. */
export interface SourceResult {
  /** False for Flux's no-op: the remote revision and the content settings are unchanged. */
  readonly changed: boolean;
  readonly revision: string;
  /** The artifact now in storage, when this run stored or confirmed one. */
  readonly artifact?: Artifact;
  /** Status fields recording the settings the artifact was built with. */
  readonly observed?: Record<string, unknown>;
  /** Commit subject (or revision for a no-op) for the NewArtifact event. */
  readonly commitLabel: string;
}

function storedMessage(revision: string): string {
  return `stored artifact for revision '${revision}'`;
}

/**
 * Flux's reconcileSource, reconcileInclude and reconcileArtifact for one GitRepository whose
 * `status.artifact` is known to be in storage (or absent). Throws a `SourceFailure`.
 */
export async function runSource(
  object: GitRepository,
  workDir: string,
  deps: RunDependencies,
): Promise<SourceResult> {
  const { storage, signal } = deps;
  // The CRD validates on admission; this catches objects stored before it did, or a CRD
  // without its schema, before any of their values reach git.
  const validation = validateGitRepository(object);
  if (!validation.ok) {
    throw new SourceFailure({
      reason: 'ValidationFailed',
      condition: ConditionType.FetchFailed,
      kind: 'stalling',
      message: `invalid GitRepository: ${formatIssues(validation.issues)}`,
    });
  }
  const current = object.status?.artifact;
  const conditions = object.status?.conditions ?? [];
  // A failed verification is recomputed; a passed one stands for the last verified revision.
  deps.setConditions((list) =>
    list.some((c) => c.type === ConditionType.SourceVerified && c.status === 'False')
      ? removeCondition(list, ConditionType.SourceVerified)
      : list,
  );

  const secret = await readAuthSecret(deps.kubeConfig, object, signal);
  if (secret !== undefined) {
    deps.addSecrets(Object.values(secret).map((value) => Buffer.from(value).toString('utf8')));
  }
  const includes = await fetchIncludes(object, deps.getRepository, deps.requeueDependencyMs);
  deps.setConditions((list) => removeCondition(list, ConditionType.IncludeUnavailable));
  if (includedArtifactsDiffer(includes, object.status?.includedArtifacts)) {
    const message = 'included artifacts differ from last observed includes';
    if (object.status?.includedArtifacts !== undefined) {
      deps.setConditions((list, context) =>
        setCondition(
          list,
          {
            type: ConditionType.ArtifactOutdated,
            status: 'True',
            reason: 'IncludeChange',
            message,
          },
          context,
        ),
      );
    }
    await deps.progress(`building artifact: ${message}`, true);
  }
  deps.setConditions((list) => removeCondition(list, ConditionType.ArtifactOutdated));

  const configChanged = contentConfigChanged(object, includes);
  const inStorage =
    current !== undefined &&
    conditions.some((c) => c.type === ConditionType.ArtifactInStorage && c.status === 'True');
  const lastObserved = inStorage && !configChanged ? current.revision : undefined;
  const fetched = await checkoutSource(object, secret, workDir, lastObserved, signal);
  deps.setConditions((list) => removeCondition(list, ConditionType.FetchFailed));
  if (!fetched.changed) {
    deps.logger.info(
      { revision: fetched.revision },
      `no changes since last reconciliation: observed revision '${fetched.revision}'`,
    );
    deps.setConditions((list, context) =>
      setCondition(
        list,
        {
          type: ConditionType.ArtifactInStorage,
          status: 'True',
          reason: Reason.Succeeded,
          message: storedMessage(fetched.revision),
        },
        context,
      ),
    );
    return { changed: false, revision: fetched.revision, commitLabel: fetched.revision };
  }
  const { checkout } = fetched;

  const verification = await verifySource(deps.kubeConfig, object, checkout, signal);
  deps.setConditions((list, context) =>
    verification === undefined
      ? removeCondition(list, ConditionType.SourceVerified)
      : setCondition(
          list,
          {
            type: ConditionType.SourceVerified,
            status: 'True',
            reason: Reason.Succeeded,
            message: verification.message,
          },
          context,
        ),
  );
  if (current?.revision !== checkout.revision) {
    const message = `new upstream revision '${checkout.revision}'`;
    if (current !== undefined) {
      deps.setConditions((list, context) =>
        setCondition(
          list,
          { type: ConditionType.ArtifactOutdated, status: 'True', reason: 'NewRevision', message },
          context,
        ),
      );
    }
    await deps.progress(`building artifact: ${message}`, true);
  }

  await copyIncludes(object, includes, storage, workDir);
  const upToDate =
    current !== undefined &&
    current.revision === checkout.revision &&
    !configChanged &&
    (await storage.exists(current));
  const artifact = upToDate ? current : await archiveSource(object, checkout, storage);
  if (upToDate) {
    deps.logger.debug(`artifact up-to-date with remote revision: '${checkout.revision}'`);
  }
  const deleted = await storage
    .garbageCollect(ownerOf(object), artifact)
    .catch((error: unknown) => {
      deps.logger.warn({ error: String(error) }, 'garbage collection of artifacts failed');
      return [];
    });
  if (deleted.length > 0) deps.logger.debug(`garbage collected ${deleted.length} artifacts`);
  deps.setConditions((list, context) =>
    setCondition(
      removeCondition(list, ConditionType.ArtifactOutdated),
      {
        type: ConditionType.ArtifactInStorage,
        status: 'True',
        reason: Reason.Succeeded,
        message: storedMessage(artifact.revision),
      },
      context,
    ),
  );
  const { spec } = object;
  return {
    changed: true,
    revision: checkout.revision,
    artifact,
    commitLabel: await readCommitSubject(workDir, checkout.commit),
    observed: {
      includedArtifacts: includes.length > 0 ? includes : null,
      observedIgnore: spec.ignore ?? null,
      observedRecurseSubmodules: spec.recurseSubmodules ?? null,
      observedInclude: spec.include ?? null,
      observedSparseCheckout: spec.sparseCheckout ?? null,
      sourceVerificationMode: verification?.mode ?? null,
    },
  };
}
