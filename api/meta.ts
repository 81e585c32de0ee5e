import { type Input, s } from './schema/index.ts';

/**
 * Shapes shared by both APIs, matching Flux's `meta` package and Kubernetes' `metav1` types
 * field for field so that objects written for Flux validate unchanged.
 */

/** A Go duration limited to the units Flux's CRDs allow, e.g. `10m`, `1h30m`, `500ms`. */
export const durationPattern = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
/** GitRepository's timeout leaves out hours. */
export const durationWithoutHoursPattern = '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$';
export const durationHint = 'a duration such as 30s, 5m or 1h30m,';

/** The parts of `metav1.ObjectMeta` that our code reads or writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: unknown[];
  managedFields?: unknown[];
}

/** The apiVersion/kind/metadata trio every object's schema starts with. */
export const typeMetaProperties = {
  apiVersion: s.string({ description: 'The version of the schema this object is written in.' }),
  kind: s.string({ description: 'The kind of the object, in CamelCase.' }),
  metadata: s.opaque<ObjectMeta>(),
};

export const localObjectReference = s.object(
  { name: s.string({ description: 'Name of the referenced object.' }) },
  { description: 'A reference to an object in the same namespace.', required: ['name'] },
);
export type LocalObjectReference = Input<typeof localObjectReference>;

export const secretKeyReference = s.object(
  {
    name: s.string({ description: 'Name of the Secret.' }),
    key: s.string({ description: 'Key in the Secret; when empty a default key is used.' }),
  },
  { description: 'A key of a Secret in the same namespace.', required: ['name'] },
);
export type SecretKeyReference = Input<typeof secretKeyReference>;

export const conditionStatuses = ['True', 'False', 'Unknown'] as const;

/** `metav1.Condition`, with the apiserver's own limits. */
export const condition = s.object(
  {
    type: s.string({
      description: 'Type of the condition, CamelCase or foo.example.com/CamelCase.',
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: s.enum(conditionStatuses, { description: 'True, False or Unknown.' }),
    observedGeneration: s.integer({
      description: 'The metadata.generation this condition was computed from.',
      format: 'int64',
      minimum: 0,
    }),
    lastTransitionTime: s.string({
      description: 'When the condition last changed.',
      format: 'date-time',
    }),
    reason: s.string({
      description: 'A CamelCase word that says why the condition is in its state.',
      maxLength: 1024,
      minLength: 1,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: s.string({
      description: 'A human-readable explanation; may be empty.',
      maxLength: 32768,
    }),
  },
  {
    description: 'One aspect of the current state of the object.',
    required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
  },
);
export type Condition = Input<typeof condition>;
export type ConditionStatus = (typeof conditionStatuses)[number];

/** `meta.Artifact`: the output of a source reconciliation, served over HTTP. */
export const artifact = s.object(
  {
    path: s.string({ description: 'Path of the artifact file relative to the storage root.' }),
    url: s.string({ description: 'HTTP address from which the artifact can be downloaded.' }),
    revision: s.string({
      description: 'Source revision the artifact was built from, e.g. main@sha1:<hash>.',
    }),
    digest: s.string({
      description: 'Digest of the artifact file as <algorithm>:<checksum>.',
      pattern: '^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$',
    }),
    lastUpdateTime: s.string({
      description: 'When the artifact was last updated.',
      format: 'date-time',
    }),
    size: s.integer({ description: 'Size of the artifact file in bytes.', format: 'int64' }),
    metadata: s.map(s.string(), { description: 'Upstream information about the artifact.' }),
  },
  {
    description: 'The output of a source reconciliation.',
    required: ['digest', 'lastUpdateTime', 'path', 'revision', 'url'],
  },
);
export type Artifact = Input<typeof artifact>;

export const lastHandledReconcileAt = s.string({
  description:
    'The reconcile.fluxcd.io/requestedAt annotation value last acted upon, to detect a new request.',
});

/** The `observedGeneration: -1` status default Flux sets so new objects read as unobserved. */
export const unobservedStatusDefault = { observedGeneration: -1 } as const;
