import type { KubernetesObject } from '@kubernetes/client-node';
import {
  ConditionType,
  fluxFinalizer,
  formatDuration,
  type GitRepository,
  isConditionTrue,
  type Kustomization,
  kustomizationIntervalMs,
  kustomizationTimeoutMs,
  markReconciling,
  Reason,
  setCondition,
} from '../../api/index.ts';
import type { CelStatusReader, KubeClientFactory } from '../apply/index.ts';
import {
  type EventRecorder,
  type EventType,
  type ObjectClient,
  type ObjectKey,
  objectKey,
  type ProcessResult,
  type ReconcileRequest,
} from '../runtime/index.ts';
import { type AppliedSet, applyClient, applyObjects } from './apply-step.ts';
import type { BuildEngine } from './build-engine.ts';
import { buildObjects, decryptBuilt, fetchSourceArtifact, substitute } from './build-step.ts';
import { type DecryptionSettings, readDecryptionKeys } from './decryption-keys-step.ts';
import { checkDependencies } from './dependencies-step.ts';
import { finalizeObjects } from './finalizer.ts';
import {
  checkHealth,
  compileHealthExprs,
  type HealthResult,
  healthTargets,
} from './health-step.ts';
import type { KustomizationObject } from './kustomization-object.ts';
import { pruneObjects } from './prune-step.ts';
import { RemoteClusters } from './remote-cluster-step.ts';
import {
  asStepError,
  changesStatus,
  failedConditions,
  failureReport,
  readyConditions,
} from './report.ts';
import {
  eventAnnotations,
  finalStatusFields,
  isNewRun,
  type Run,
  reportsProgress,
  startRun,
  statusFields,
} from './run-state.ts';
import { resolveSource } from './source-step.ts';
import type { StepError } from './step-error.ts';
import { PruneError } from './step-outcome.ts';
import { loadVariables } from './substitute-from-step.ts';

export type { KustomizationObject } from './kustomization-object.ts';

export interface KustomizationReconcilerOptions {
  readonly client: ObjectClient<KustomizationObject>;
  readonly sources: ObjectClient<GitRepository & KubernetesObject>;
  readonly factory: KubeClientFactory;
  /** Clients for `spec.kubeConfig.secretRef` clusters. */
  readonly remoteClusters?: RemoteClusters;
  readonly engine: BuildEngine;
  readonly events: EventRecorder;
  /** `--no-cross-namespace-refs`. */
  readonly noCrossNamespaceRefs: boolean;
  /** `--default-service-account`. */
  readonly defaultServiceAccount: string;
  /** `--requeue-dependency`. */
  readonly requeueDependencyMs: number;
  /** Poll interval of health checks (Flux: 5 s) and of stage/termination waits (2 s). */
  readonly healthIntervalMs?: number;
  readonly waitIntervalMs?: number;
  /** Fail on undefined variables without a default (Flux's StrictPostBuildSubstitutions). */
  readonly strictSubstitutions?: boolean;
  /** Remote key services and workload identity (`--feature-gates` ObjectLevelWorkloadIdentity). */
  readonly decryption?: DecryptionSettings;
  readonly now?: () => Date;
}

/**
 * The Kustomization reconciler, step for step as Flux's kustomize-controller:
 * source → dependsOn → fetch → keys → build → decrypt → substitute → apply → prune → health →
 * report. A failed step ends the run; one function turns its StepError into the status, the
 * event and the requeue.
 */
export class KustomizationReconciler {
  readonly #options: KustomizationReconcilerOptions;
  readonly #remoteClusters: RemoteClusters;

  constructor(options: KustomizationReconcilerOptions) {
    this.#options = options;
    this.#remoteClusters = options.remoteClusters ?? new RemoteClusters();
  }

  readonly reconcile = async (
    request: ReconcileRequest<KustomizationObject>,
  ): Promise<ProcessResult | undefined> => {
    const { client } = this.#options;
    const { key, signal } = request;
    // The watch cache may lag our own last status write; the run starts from the apiserver.
    let object = await client.get(key, signal);
    if (object === undefined) return undefined;
    if (object.metadata.deletionTimestamp) return this.#finalize(key, object, signal);
    if (!object.metadata.finalizers?.includes(fluxFinalizer)) {
      object = await client.addFinalizer(key, fluxFinalizer, { current: object, signal });
      if (object === undefined) return undefined;
    }
    if (object.spec.suspend === true) return undefined;
    const run = startRun(object, request, (this.#options.now ?? (() => new Date()))());
    try {
      return await this.#reconcileSteps(run);
    } catch (error) {
      // Shutdown is not a failure of the Kustomization: leave its status to the next run.
      if (run.signal.aborted) throw error;
      return this.#reportFailure(run, asStepError(error));
    }
  };

  async #reconcileSteps(run: Run): Promise<ProcessResult | undefined> {
    const o = this.#options;
    const ks = run.start;
    const timeoutMs = kustomizationTimeoutMs(ks);
    const timeout = formatDuration(timeoutMs);
    const controller = o.factory.controllerClient();
    const getObject = <T>(c: ObjectClient<T & KubernetesObject>, ns: string, name: string) =>
      c.get(objectKey(ns, name), run.signal) as Promise<T | undefined>;

    const celStatus = await compileHealthExprs(ks); // InvalidCELExpression
    const source = await resolveSource(ks, {
      ...o,
      getGitRepository: (ns, name) => getObject<GitRepository>(o.sources, ns, name),
    }); // ArtifactFailed
    run.revision = source.artifact.revision;
    await checkDependencies(ks, source, {
      ...o,
      getKustomization: (ns, name) => getObject<Kustomization>(o.client, ns, name),
    }); // DependencyNotReady
    run.isNewRun = isNewRun(run, source);
    run.reportsProgress = reportsProgress(run, source);
    const revision = source.artifact.revision;
    await this.#progress(
      run,
      `Fetching manifests for revision ${revision} with a timeout of ${timeout}`,
    );
    const tree = await fetchSourceArtifact(o.engine, source.artifact, {
      signal: run.signal,
      timeoutMs,
    }); // ArtifactFailed
    run.attemptedRevision = revision;
    await this.#progress(
      run,
      `Building manifests for revision ${revision} with a timeout of ${timeout}`,
    );
    const factory =
      (await this.#remoteClusters.factoryFor(ks, controller, run.signal)) ?? o.factory; // ReconciliationFailed
    const keys = await readDecryptionKeys(ks, controller, o.engine, run.signal, o.decryption); // DecryptionFailed
    for (const entry of keys?.unknownEntries ?? []) await this.#warnUnknownKey(run, entry);
    const built = await buildObjects(o.engine, ks, tree, keys, run.signal); // BuildFailed, DecryptionFailed
    const decrypted = await decryptBuilt(o.engine, ks, built, keys); // DecryptionFailed
    const variables = await loadVariables(ks, controller, run.signal); // BuildFailed
    const objects = await substitute(o.engine, ks, decrypted, variables, {
      strict: o.strictSubstitutions ?? false,
    }); // BuildFailed
    await this.#progress(
      run,
      `Detecting drift for revision ${revision} with a timeout of ${timeout}`,
    );
    const client = applyClient(ks, factory, o.defaultServiceAccount);
    const applied = await applyObjects(ks, objects, client, {
      timeoutMs,
      waitIntervalMs: o.waitIntervalMs ?? 2_000,
      signal: run.signal,
    }); // ReconciliationFailed
    const previous = run.inventory ?? [];
    run.inventory = applied.inventory;
    await this.#recordChanges(run, applied.changeLog);
    const pruned = await pruneObjects(ks, previous, applied.inventory, client, run.signal).catch(
      (error: unknown) => {
        if (error instanceof PruneError) run.inventory = [...applied.inventory, ...error.survivors];
        throw error;
      },
    ); // PruneFailed
    await this.#recordChanges(run, pruned.changeLog);
    const health = await this.#checkHealth(run, applied, client, { timeoutMs, celStatus }); // HealthCheckFailed
    return this.#reportReady(run, revision, health);
  }

  async #checkHealth(
    run: Run,
    applied: AppliedSet,
    client: ReturnType<typeof applyClient>,
    { timeoutMs, celStatus }: { timeoutMs: number; celStatus: CelStatusReader | undefined },
  ): Promise<HealthResult> {
    const targets = healthTargets(run.start, applied.changeSet);
    if (targets.length === 0) return { checked: false };
    const wasHealthy = isConditionTrue(run.conditions, ConditionType.Healthy);
    // A reconcile request on a healthy object is checked without a progress write.
    if ((run.isNewRun && run.reportsProgress) || !wasHealthy) {
      const message = `Running health checks for revision ${run.revision} with a timeout of ${formatDuration(timeoutMs)}`;
      run.isNewRun = true;
      run.conditions = setCondition(
        markReconciling(run.conditions, Reason.Progressing, message, run.context),
        { type: ConditionType.Healthy, status: 'Unknown', reason: Reason.Progressing, message },
        run.context,
      );
      await this.#patch(run, statusFields(run));
    }
    const health = await checkHealth(targets, client, {
      timeoutMs,
      intervalMs: this.#options.healthIntervalMs ?? 5_000,
      signal: run.signal,
      celStatus,
    });
    if (health.checked && (!wasHealthy || applied.changeLog !== '')) {
      await this.#event(run, 'Normal', health.message);
    }
    return health;
  }

  /** Ready=Unknown and Reconciling=True with Flux's progress message, written at once (not on a request alone). */
  async #progress(run: Run, message: string): Promise<void> {
    if (!run.isNewRun || !run.reportsProgress) return;
    run.conditions = setCondition(
      markReconciling(run.conditions, Reason.Progressing, message, run.context),
      {
        type: ConditionType.Ready,
        status: 'Unknown',
        reason: Reason.Progressing,
        message: 'Reconciliation in progress',
      },
      run.context,
    );
    await this.#patch(run, statusFields(run));
  }

  async #patch(run: Run, status: Record<string, unknown>): Promise<void> {
    if (!changesStatus(status, run.latest.status as Record<string, unknown> | undefined)) return;
    const written = await this.#options.client.patchStatus(run.key, () => status, {
      current: run.latest,
      signal: run.signal,
    });
    if (written) run.latest = written;
  }

  async #reportReady(run: Run, revision: string, health: HealthResult): Promise<ProcessResult> {
    run.conditions = readyConditions(run.conditions, {
      revision,
      health,
      isNewRun: run.isNewRun,
      context: run.context,
    });
    await this.#patch(run, {
      ...finalStatusFields(run),
      lastAppliedRevision: revision,
      observedGeneration: run.context.observedGeneration,
    });
    const intervalMs = kustomizationIntervalMs(run.start);
    const took = formatDuration(Math.round(performance.now() - run.startedAt));
    const message = `Reconciliation finished in ${took}, next run in ${formatDuration(intervalMs)}`;
    run.logger.info({ revision }, message);
    // Flux records this every interval; we only when something happened, so that a no-op
    // run costs the apiserver no write at all.
    if (run.isNewRun) await this.#event(run, 'Normal', message);
    return { requeueAfter: intervalMs };
  }

  /** The one place a failed step becomes Ready=False, an event and a requeue. */
  async #reportFailure(run: Run, error: StepError): Promise<ProcessResult> {
    run.conditions = failedConditions(run.conditions, error, run.context);
    // As Flux's terminal errors: Stalled speaks for this generation, which kstatus requires
    // before it reads the object as Failed.
    await this.#patch(run, {
      ...finalStatusFields(run),
      ...(!error.retryable && { observedGeneration: run.context.observedGeneration }),
    });
    const report = failureReport(error, run.start);
    if (report.event) await this.#event(run, report.event.type, report.event.message);
    const level = error.retryable ? 'info' : 'error';
    run.logger[level]({ reason: error.reason, revision: run.revision }, error.message);
    return { requeueAfter: report.requeueAfterMs };
  }

  async #recordChanges(run: Run, changeLog: string): Promise<void> {
    if (changeLog === '') return;
    run.logger.info(
      { revision: run.revision, changes: changeLog.split('\n') },
      'server-side apply completed',
    );
    await this.#event(run, 'Normal', changeLog);
  }

  async #warnUnknownKey(run: Run, entry: string): Promise<void> {
    if (!run.isNewRun) return;
    const secret = run.start.spec.decryption?.secretRef?.name ?? '';
    await this.#options.events.event(
      run.latest,
      'Warning',
      'DecryptionKeyIgnored',
      `decryption Secret '${run.key.namespace}/${secret}' entry '${entry}' is not a key: name it *.agekey, *.asc, sops.vault-token, sops.aws-kms, sops.azure-kv or sops.gcp-kms`,
      eventAnnotations(run.revision),
    );
  }

  /** Flux names a Kustomization's events after its Ready reason at the time. */
  async #event(run: Run, type: EventType, message: string): Promise<void> {
    const ready = run.conditions.find((c) => c.type === ConditionType.Ready);
    const reason = ready?.reason || (type === 'Warning' ? 'error' : 'info');
    await this.#options.events.event(
      run.latest,
      type,
      reason,
      message,
      eventAnnotations(run.revision),
    );
  }

  async #finalize(
    key: ObjectKey,
    object: KustomizationObject,
    signal: AbortSignal,
  ): Promise<undefined> {
    const o = this.#options;
    if (!object.metadata.finalizers?.includes(fluxFinalizer)) return undefined;
    const controller = o.factory.controllerClient();
    const remote = await this.#remoteClusters.factoryFor(object, controller, signal);
    await finalizeObjects(object, {
      factory: remote ?? o.factory,
      defaultServiceAccount: o.defaultServiceAccount,
      terminationIntervalMs: o.waitIntervalMs ?? 2_000,
      signal,
      event: (type, reason, message) =>
        o.events.event(
          object,
          type,
          reason,
          message,
          eventAnnotations(object.status?.lastAppliedRevision),
        ),
    });
    await o.client.removeFinalizer(key, fluxFinalizer, { current: object, signal });
    return undefined;
  }
}
