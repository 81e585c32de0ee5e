import type { CrdDefinition } from './crd.ts';
import {
  buildMetadataOptions,
  crossNamespaceSourceReference,
  customHealthCheck,
  decryption,
  deletionPolicies,
  dependencyReference,
  durationField,
  ignoreRule,
  image,
  kubeConfigReference,
  namespacedObjectKindReference,
  patch,
  postBuild,
} from './kustomization-parts.ts';
import {
  condition,
  lastHandledReconcileAt,
  type ObjectMeta,
  typeMetaProperties,
  unobservedStatusDefault,
} from './meta.ts';
import { type Defaulted, type Input, s } from './schema/index.ts';

/** `kustomize.toolkit.fluxcd.io/v1` Kustomization, field for field as Flux's kustomize-controller. */
export const KustomizationApi = {
  group: 'kustomize.toolkit.fluxcd.io',
  version: 'v1',
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  listKind: 'KustomizationList',
  plural: 'kustomizations',
  singular: 'kustomization',
} as const;

export const kustomizationSpec = s.object(
  {
    commonMetadata: s.object(
      {
        annotations: s.map(s.string(), { description: 'Annotations set on every object.' }),
        labels: s.map(s.string(), { description: 'Labels set on every object.' }),
      },
      { description: 'Labels and annotations set on every object, replacing equal keys.' },
    ),
    dependsOn: s.array(dependencyReference, {
      description: 'Kustomizations that must be ready before this one is reconciled.',
    }),
    decryption,
    interval: durationField('How often to reconcile; jitter may be added.'),
    retryInterval: durationField('How soon to retry after a failure; interval when empty.'),
    kubeConfig: kubeConfigReference,
    path: s.string({
      description:
        'Directory in the artifact with a kustomization.yaml or plain manifests; the root when empty.',
    }),
    postBuild,
    prune: s.boolean({ description: 'Delete objects that are no longer in the source.' }),
    deletionPolicy: s.enum(deletionPolicies, {
      description:
        'What happens to the objects when the Kustomization is deleted; MirrorPrune (the default) follows prune.',
    }),
    healthChecks: s.array(namespacedObjectKindReference, {
      description: 'Objects whose health is assessed after apply.',
    }),
    namePrefix: s.string({
      description: 'Prefix added to the name of every object.',
      maxLength: 200,
      minLength: 1,
    }),
    nameSuffix: s.string({
      description: 'Suffix added to the name of every object.',
      maxLength: 200,
      minLength: 1,
    }),
    patches: s.array(patch, { description: 'Inline patches applied after the build.' }),
    images: s.array(image, { description: 'Image name, tag and digest overrides.' }),
    serviceAccountName: s.string({
      description: 'ServiceAccount to impersonate when applying.',
    }),
    sourceRef: crossNamespaceSourceReference,
    suspend: s.boolean({ description: 'Stop reconciling while true; a run in progress finishes.' }),
    targetNamespace: s.string({
      description: 'Namespace set on every namespaced object.',
      maxLength: 63,
      minLength: 1,
    }),
    timeout: durationField('Time limit for apply and health checks.'),
    force: s.boolean({
      default: false,
      description: 'Recreate objects whose immutable fields changed.',
    }),
    wait: s.boolean({
      description: 'Wait for every applied object to be healthy; healthChecks are then ignored.',
    }),
    buildMetadata: s.array(s.enum(buildMetadataOptions), {
      description: 'kustomize build annotations to keep on the objects.',
    }),
    components: s.array(s.string(), { description: 'Paths of kustomize Components to add.' }),
    ignoreMissingComponents: s.boolean({
      description: 'Leave out components whose path does not exist instead of failing.',
    }),
    healthCheckExprs: s.array(customHealthCheck, {
      description: 'CEL health checks for custom resource kinds.',
    }),
    ignore: s.array(ignoreRule, { description: 'Fields to leave out of drift detection.' }),
  },
  {
    description: 'Which manifests to build from a source and how to apply them.',
    required: ['interval', 'prune', 'sourceRef'],
  },
);
export type KustomizationSpec = Input<typeof kustomizationSpec>;

export const resourceRef = s.object(
  {
    id: s.string({ description: 'The object as <namespace>_<name>_<group>_<kind>.' }),
    v: s.string({ description: 'The API version the object was applied with.' }),
  },
  { description: 'One applied object.', required: ['id', 'v'] },
);
export type ResourceRef = Input<typeof resourceRef>;

export const resourceInventory = s.object(
  { entries: s.array(resourceRef, { description: 'The applied objects.' }) },
  { description: 'The objects applied by the last successful run.', required: ['entries'] },
);
export type ResourceInventory = Input<typeof resourceInventory>;

export const historySnapshot = s.object(
  {
    digest: s.string({ description: 'Checksum <algo>:<hex> of the objects of this snapshot.' }),
    firstReconciled: s.string({
      description: 'When this digest was first applied.',
      format: 'date-time',
    }),
    lastReconciled: s.string({
      description: 'When this digest was last applied.',
      format: 'date-time',
    }),
    lastReconciledDuration: s.string({ description: 'How long the last run took.' }),
    lastReconciledStatus: s.string({ description: 'Outcome of the last run.' }),
    metadata: s.map(s.string(), { description: 'More facts about the snapshot.' }),
    totalReconciliations: s.integer({
      description: 'How many runs applied this digest.',
      format: 'int64',
    }),
  },
  {
    description: 'A record of the runs that applied one set of objects.',
    required: [
      'digest',
      'firstReconciled',
      'lastReconciled',
      'lastReconciledDuration',
      'lastReconciledStatus',
      'totalReconciliations',
    ],
  },
);

export const kustomizationStatus = s.object(
  {
    lastHandledReconcileAt,
    observedGeneration: s.integer({
      description: 'The metadata.generation last reconciled.',
      format: 'int64',
    }),
    conditions: s.array(condition, { description: 'The observed state, one entry per aspect.' }),
    lastAppliedRevision: s.string({ description: 'Source revision last applied successfully.' }),
    lastAppliedOriginRevision: s.string({
      description: "Origin revision from the artifact's metadata last applied successfully.",
    }),
    lastAttemptedRevision: s.string({ description: 'Source revision of the last attempt.' }),
    inventory: resourceInventory,
    history: s.array(historySnapshot, { description: 'Recent runs, by revision digest.' }),
  },
  { default: unobservedStatusDefault, description: 'The observed state of the Kustomization.' },
);
export type KustomizationStatus = Input<typeof kustomizationStatus>;

export const kustomizationSchema = s.object(
  { ...typeMetaProperties, spec: kustomizationSpec, status: kustomizationStatus },
  { description: 'Manifests built from a source with kustomize and applied to the cluster.' },
);

/** A Kustomization as a user writes it. */
export interface Kustomization {
  apiVersion: typeof KustomizationApi.apiVersion;
  kind: typeof KustomizationApi.kind;
  metadata: ObjectMeta;
  spec: KustomizationSpec;
  status?: KustomizationStatus;
}

/** A Kustomization as the apiserver returns it, with the CRD's defaults filled in. */
export interface DefaultedKustomization {
  apiVersion: typeof KustomizationApi.apiVersion;
  kind: typeof KustomizationApi.kind;
  metadata: ObjectMeta;
  spec: Defaulted<typeof kustomizationSpec>;
  status: Defaulted<typeof kustomizationStatus>;
}

export const kustomizationCrd: CrdDefinition = {
  ...KustomizationApi,
  shortNames: ['ks'],
  categories: ['all', 'fluxcd', 'fluxcd-appliers'],
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
  ],
  schema: kustomizationSchema,
};
