import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  type Condition,
  type ConditionContext,
  ConditionType,
  fluxFinalizer,
  type GitRepository,
  gitRepositoryIntervalMs,
  Reason,
  removeCondition,
  setCondition,
} from '../../api/index.ts';
import {
  type EventRecorder,
  type KubeAccess,
  type ObjectClient,
  type ObjectKey,
  type ProcessResult,
  type ReconcileRequest,
  requestedAt,
} from '../runtime/index.ts';
import type { ArtifactStorage } from './artifact-storage.ts';
import { scrubSecrets } from './git-error.ts';
import { SourceFailure } from './git-repository-failure.ts';
import { runSource, type SourceResult } from './git-repository-run.ts';
import { IncludeWait, ownerOf } from './git-repository-steps.ts';
import { checkStoredArtifact } from './git-repository-storage.ts';
import { type RunOutcome, summarizeConditions } from './git-repository-summary.ts';

export interface GitRepositoryReconcilerOptions {
  readonly kubeConfig: KubeAccess;
  readonly client: ObjectClient<GitRepositoryObject>;
  readonly storage: ArtifactStorage;
  readonly events: EventRecorder;
  /** `--requeue-dependency`: how soon to look again for an include without an artifact. */
  readonly requeueDependencyMs: number;
  readonly now?: () => Date;
}

/** Annotation keys Flux puts on NewArtifact events. */
const revisionAnnotation = 'source.toolkit.fluxcd.io/revision';
const digestAnnotation = 'source.toolkit.fluxcd.io/digest';

/** Conditions whose presence means a run failed (Flux's gitRepositoryFailConditions). */
const failConditions: readonly string[] = [
  ConditionType.FetchFailed,
  ConditionType.IncludeUnavailable,
  ConditionType.StorageOperationFailed,
];

type Status = NonNullable<GitRepository['status']>;

/**
 * A GitRepository as the runtime handles it: our types write timestamps as the JSON strings
 * they are, client-node's metadata type calls them Dates.
 */
export type GitRepositoryObject = GitRepository & KubernetesObject;

/** The state of one run, kept by the reconciler; steps only see what they are handed. */
interface Run {
  readonly key: ObjectKey;
  readonly start: GitRepositoryObject;
  readonly context: ConditionContext;
  readonly handled: string | undefined;
  readonly signal: AbortSignal;
  latest: GitRepositoryObject;
  conditions: Condition[];
  secrets: string[];
}

/**
 * The GitRepository reconciler, step for step as Flux's source-controller: finalizer, storage
 * check, credentials, includes, checkout (skipped when nothing changed), signatures, include
 * copies, archive, garbage collection, then one summary of the conditions and one status write.
 */
export class GitRepositoryReconciler {
  readonly #options: GitRepositoryReconcilerOptions;

  constructor(options: GitRepositoryReconcilerOptions) {
    this.#options = options;
  }

  readonly reconcile = async (
    request: ReconcileRequest<GitRepositoryObject>,
  ): Promise<ProcessResult | undefined> => {
    const { client } = this.#options;
    const { key, signal } = request;
    // The watch cache may lag our own last status write; the run starts from the apiserver.
    let object = await client.get(key, signal);
    if (object === undefined) return undefined;
    if (object.metadata.deletionTimestamp) return this.#finalize(key, object, request.logger);
    if (!object.metadata.finalizers?.includes(fluxFinalizer)) {
      object = await client.addFinalizer(key, fluxFinalizer, { current: object, signal });
      if (object === undefined) return undefined;
    }
    if (object.spec.suspend === true) return undefined;
    return this.#reconcileSource(key, object, request);
  };

  async #finalize(key: ObjectKey, object: GitRepositoryObject, logger: Logger): Promise<undefined> {
    await this.#options.storage.removeAll(ownerOf(object));
    logger.info('garbage collected artifacts for deleted resource');
    await this.#options.client.removeFinalizer(key, fluxFinalizer, { current: object });
    return undefined;
  }

  async #patch(run: Run, status: Record<string, unknown>): Promise<void> {
    const written = await this.#options.client.patchStatus(run.key, () => status, {
      current: run.latest,
      signal: run.signal,
    });
    if (written) run.latest = written;
  }

  /** Flux's ProgressiveStatus: Ready=Unknown, plus Reconciling=True when `reconciling`. */
  async #progress(run: Run, message: string, reconciling: boolean, write = true): Promise<void> {
    // Unwritten, Ready=Unknown would only restamp Ready's lastTransitionTime at the summary.
    if (!write && !reconciling) return;
    const update = { status: 'Unknown' as const, reason: Reason.Progressing, message };
    run.conditions = setCondition(
      run.conditions,
      { type: ConditionType.Ready, ...update },
      run.context,
    );
    if (reconciling) {
      run.conditions = setCondition(
        run.conditions,
        { type: ConditionType.Reconciling, ...update, status: 'True' },
        run.context,
      );
    }
    if (!write) return;
    // lastHandledReconcileAt waits for the run's last write, as in Flux: a client waiting for
    // its request must not see it handled while the run is still in progress.
    await this.#patch(run, { conditions: run.conditions });
  }

  async #reconcileSource(
    key: ObjectKey,
    start: GitRepositoryObject,
    request: ReconcileRequest<GitRepositoryObject>,
  ): Promise<ProcessResult | undefined> {
    const { storage } = this.#options;
    const status: Status = start.status ?? {};
    const run: Run = {
      key,
      start,
      context: {
        now: (this.#options.now ?? (() => new Date()))(),
        observedGeneration: start.metadata.generation ?? 0,
      },
      handled: requestedAt(start),
      signal: request.signal,
      latest: start,
      conditions: [...(status.conditions ?? [])],
      secrets: [],
    };
    const observedGeneration = status.observedGeneration ?? -1;
    if (run.context.observedGeneration !== observedGeneration) {
      const next = run.context.observedGeneration;
      await this.#progress(
        run,
        `processing object: new generation ${observedGeneration} -> ${next}`,
        false,
      );
    } else {
      const requested = run.handled !== undefined && run.handled !== status.lastHandledReconcileAt;
      await this.#progress(run, 'reconciliation in progress', false, requested);
    }

    // Flux's reconcileStorage: forget an artifact that left the storage or no longer matches
    // its digest, and refresh its URL.
    const stored = await checkStoredArtifact(storage, status.artifact);
    if (stored.kind === 'tampered') {
      await this.#options.events.event(
        run.latest,
        'Warning',
        'ArtifactVerificationFailed',
        `failed to verify integrity of artifact: ${stored.message}`,
      );
    }
    const artifact = stored.kind === 'present' ? stored.artifact : undefined;
    if (artifact === undefined) {
      const gone = stored.kind === 'none' ? '' : ': disappeared from storage';
      run.conditions = removeCondition(run.conditions, ConditionType.ArtifactInStorage);
      await this.#progress(run, `building artifact${gone}`, true);
    }
    run.conditions = removeCondition(run.conditions, ConditionType.StorageOperationFailed);
    const { artifact: _dropped, ...rest } = status;
    const observed: GitRepository = {
      ...start,
      status: { ...rest, conditions: run.conditions, ...(artifact && { artifact }) },
    };

    const workDir = await mkdtemp(join(tmpdir(), 'kustodian-gitrepository-'));
    let outcome: RunOutcome;
    let result: SourceResult | undefined;
    try {
      result = await runSource(observed, workDir, {
        kubeConfig: this.#options.kubeConfig,
        storage,
        requeueDependencyMs: this.#options.requeueDependencyMs,
        signal: request.signal,
        logger: request.logger,
        getRepository: (namespace, name) =>
          this.#options.client.get(
            { namespace, name, key: `${namespace}/${name}` },
            request.signal,
          ),
        progress: (message, reconciling) => this.#progress(run, message, reconciling),
        setConditions: (change) => {
          run.conditions = change(run.conditions, run.context);
        },
        addSecrets: (values) => run.secrets.push(...values),
      });
      outcome = { kind: result.changed ? 'success' : 'noop' };
    } catch (error) {
      const failure = asFailure(error);
      outcome = { kind: 'failure', failure };
      run.conditions = setCondition(
        run.conditions,
        {
          type: failure.condition,
          status: failure.condition === ConditionType.SourceVerified ? 'False' : 'True',
          reason: failure.reason,
          message: scrubSecrets(failure.message, run.secrets),
        },
        run.context,
      );
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    return this.#report(run, artifact, result, outcome, request.logger);
  }

  /** Summarizes the conditions, writes the status once, records events, picks the requeue. */
  async #report(
    run: Run,
    previousArtifact: Status['artifact'],
    result: SourceResult | undefined,
    outcome: RunOutcome,
    logger: Logger,
  ): Promise<ProcessResult | undefined> {
    const summary = summarizeConditions(run.conditions, outcome, run.context);
    const artifact = result?.artifact ?? previousArtifact;
    const next: Record<string, unknown> = {
      conditions: summary.conditions,
      artifact: artifact ?? null,
      ...(summary.observed && { observedGeneration: run.context.observedGeneration }),
      ...(run.handled !== undefined && { lastHandledReconcileAt: run.handled }),
      ...result?.observed,
    };
    const written = (run.latest.status ?? {}) as Record<string, unknown>;
    const unchanged = Object.entries(next).every(
      ([field, value]) => canonicalJson(value) === canonicalJson(written[field]),
    );
    if (!unchanged) await this.#patch(run, next);

    const { events } = this.#options;
    const subject = run.latest;
    if (outcome.kind === 'failure') {
      const { failure } = outcome;
      const message = scrubSecrets(failure.message, run.secrets);
      if (failure instanceof IncludeWait) {
        logger.info({ reason: failure.reason }, message);
        return { requeueAfter: failure.requeueAfterMs };
      }
      await events.event(subject, 'Warning', failure.reason, message);
      if (failure.kind === 'stalling') {
        logger.error({ reason: failure.reason }, message);
        return undefined;
      }
      // The runtime logs this and retries with backoff.
      throw new Error(`${failure.reason}: ${message}`);
    }
    if (artifact !== undefined && result !== undefined) {
      const annotations = {
        [revisionAnnotation]: artifact.revision,
        [digestAnnotation]: artifact.digest,
      };
      const message = `stored artifact for commit '${result.commitLabel}'`;
      const before = run.start.status?.conditions ?? [];
      const recovered =
        before.some((c) => failConditions.includes(c.type)) &&
        !summary.conditions.some((c) => failConditions.includes(c.type));
      if (run.start.status?.artifact?.digest !== artifact.digest) {
        await events.event(subject, 'Normal', Reason.NewArtifact, message, annotations);
        logger.info({ revision: artifact.revision }, message);
      } else if (recovered) {
        await events.event(subject, 'Normal', Reason.Succeeded, message, annotations);
        logger.info({ revision: artifact.revision }, message);
      }
    }
    if (!summary.isReady) {
      const ready = summary.conditions.find((c) => c.type === ConditionType.Ready);
      throw new Error(ready?.message ?? 'the GitRepository is not ready');
    }
    return { requeueAfter: gitRepositoryIntervalMs(run.start) };
  }
}

/**
 * JSON with object keys sorted: the apiserver returns a custom resource's fields in its own
 * (sorted) order, so a plain stringify would see a change in every unchanged status.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : inner,
  );
}

function asFailure(error: unknown): SourceFailure {
  if (error instanceof SourceFailure) return error;
  return new SourceFailure(
    {
      reason: Reason.Failed,
      condition: ConditionType.StorageOperationFailed,
      message: error instanceof Error ? error.message : String(error),
    },
    error,
  );
}
