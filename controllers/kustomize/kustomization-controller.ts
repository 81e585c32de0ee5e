import type { KubernetesObject } from '@kubernetes/client-node';
import {
  ConditionType,
  findCondition,
  type GitRepository,
  GitRepositoryApi,
  type Kustomization,
  KustomizationApi,
  sourceNamespace,
} from '../../api/index.ts';
import { KubeClientFactory } from '../apply/index.ts';
import {
  Controller,
  type ControllerContext,
  type ControllerRegistration,
  controllerDefaults,
  ObjectClient,
  type ObjectKey,
  objectKey,
  type ResourceType,
  type SecondaryWatch,
} from '../runtime/index.ts';
import {
  ArtifactCache,
  buildManifests,
  decryptionKeysFromSecret,
  decryptObjects,
  fetchArtifact,
  substituteVariables,
} from './build/index.ts';
import type { BuildEngine } from './build-engine.ts';
import {
  type KustomizationObject,
  KustomizationReconciler,
  type KustomizationReconcilerOptions,
} from './kustomization-reconciler.ts';

export const kustomizationType: ResourceType = {
  group: KustomizationApi.group,
  version: KustomizationApi.version,
  plural: KustomizationApi.plural,
  kind: KustomizationApi.kind,
  namespaced: true,
};

const gitRepositoryResource: ResourceType = {
  group: GitRepositoryApi.group,
  version: GitRepositoryApi.version,
  plural: GitRepositoryApi.plural,
  kind: GitRepositoryApi.kind,
  namespaced: true,
};

export interface KustomizationControllerOptions {
  readonly engine: BuildEngine;
  /** Apply clients; pass one with a request observer to count writes. */
  readonly factory?: KubeClientFactory;
  readonly healthIntervalMs?: number;
  readonly waitIntervalMs?: number;
  /** Remote key services and workload identity settings. */
  readonly decryption?: KustomizationReconcilerOptions['decryption'];
}

/**
 * The Kustomization controller: the reconciler behind a watch of Kustomizations, queued again
 * when the artifact revision of their GitRepository changes, and when a Kustomization they
 * depend on becomes Ready or applies a new revision.
 */
export function createKustomizationController(
  context: ControllerContext,
  options: KustomizationControllerOptions,
): Controller<KustomizationObject> {
  const { settings } = context;
  const client = new ObjectClient<KustomizationObject>(context.kubeConfig, kustomizationType);
  const sources = new ObjectClient<GitRepository & KubernetesObject>(
    context.kubeConfig,
    gitRepositoryResource,
  );
  const reconcilerOptions: KustomizationReconcilerOptions = {
    client,
    sources,
    factory: options.factory ?? new KubeClientFactory(context.kubeConfig),
    engine: options.engine,
    events: context.events('kustomize-controller'),
    noCrossNamespaceRefs: settings.noCrossNamespaceRefs,
    defaultServiceAccount: settings.defaultServiceAccount,
    requeueDependencyMs: settings.requeueDependencyMs,
    ...(options.healthIntervalMs !== undefined && { healthIntervalMs: options.healthIntervalMs }),
    ...(options.waitIntervalMs !== undefined && { waitIntervalMs: options.waitIntervalMs }),
    ...(options.decryption && { decryption: options.decryption }),
  };
  const reconciler = new KustomizationReconciler(reconcilerOptions);
  const controller: Controller<KustomizationObject> = new Controller<KustomizationObject>({
    ...controllerDefaults(context),
    name: 'kustomization',
    resource: kustomizationType,
    reconcile: reconciler.reconcile,
    watches: [
      sourceRevisionWatch(() => controller.list()),
      dependencyWatch(() => controller.list()),
    ],
  });
  return controller;
}

/** A GitRepository's new artifact revision queues the Kustomizations that read it. */
export function sourceRevisionWatch(list: () => readonly KustomizationObject[]): SecondaryWatch {
  return {
    resource: gitRepositoryResource,
    trigger: (object) => (object as unknown as GitRepository).status?.artifact?.revision ?? '',
    map: (object) =>
      list()
        .filter(
          (ks) =>
            ks.spec.sourceRef.kind === GitRepositoryApi.kind &&
            ks.spec.sourceRef.name === object.metadata?.name &&
            sourceNamespace(ks) === object.metadata?.namespace,
        )
        .map(keyOf),
  };
}

/** A Kustomization turning Ready, or applying a new revision, queues those that depend on it. */
export function dependencyWatch(list: () => readonly KustomizationObject[]): SecondaryWatch {
  return {
    resource: kustomizationType,
    trigger: (object) => {
      const status = (object as unknown as Kustomization).status;
      const ready = findCondition(status?.conditions, ConditionType.Ready);
      return `${ready?.status}/${status?.lastAppliedRevision}/${status?.observedGeneration}`;
    },
    map: (object) =>
      list()
        .filter((ks) =>
          (ks.spec.dependsOn ?? []).some(
            (dependency) =>
              dependency.name === object.metadata?.name &&
              (dependency.namespace || ks.metadata.namespace) === object.metadata?.namespace,
          ),
        )
        .map(keyOf),
  };
}

function keyOf(ks: KustomizationObject): ObjectKey {
  return objectKey(ks.metadata.namespace ?? '', ks.metadata.name ?? '');
}

/**
 * The real engine: fetch, SOPS decryption, kustomize build and substitution. Artifacts are
 * shared: Kustomizations of one source revision read one unpacked tree.
 */
export const buildEngine: BuildEngine = {
  fetchArtifact: new ArtifactCache(fetchArtifact).fetch,
  decryptionKeysFromSecret,
  buildManifests,
  decryptObjects,
  substituteVariables,
};

/** `--controllers kustomize`: Kustomizations built, decrypted, applied, pruned and checked. */
export const kustomizeController: ControllerRegistration = {
  name: 'kustomize',
  description: 'Kustomization (kustomize.toolkit.fluxcd.io/v1): build, decrypt, apply, prune',
  create: (context) => createKustomizationController(context, { engine: buildEngine }),
};
