import { durationHint, durationPattern, localObjectReference, secretKeyReference } from './meta.ts';
import { type Input, s } from './schema/index.ts';

/** The pieces a Kustomization spec is made of, as in Flux's `kustomize` and `meta` packages. */
export const deletionPolicies = ['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'] as const;
export type DeletionPolicy = (typeof deletionPolicies)[number];

/** The kinds the CRD accepts in sourceRef; kustodian itself serves GitRepository only. */
export const sourceKinds = [
  'OCIRepository',
  'GitRepository',
  'Bucket',
  'ExternalArtifact',
] as const;
export type SourceKind = (typeof sourceKinds)[number];

export const substituteStrategies = ['WithVariables', 'Always'] as const;
export type SubstituteStrategy = (typeof substituteStrategies)[number];

export const buildMetadataOptions = ['originAnnotations', 'transformerAnnotations'] as const;

export const durationField = (description: string) =>
  s.string({ description, pattern: durationPattern, patternHint: durationHint });

/** kustomize's resource selector, as in Flux's `kustomize.Selector`. */
export const selector = s.object(
  {
    group: s.string({ description: 'API group of the resources to select.' }),
    version: s.string({ description: 'API version of the resources to select.' }),
    kind: s.string({ description: 'Kind of the resources to select.' }),
    name: s.string({ description: 'Name of the resources to select.' }),
    namespace: s.string({ description: 'Namespace of the resources to select.' }),
    annotationSelector: s.string({
      description: 'Label-selector expression matched against the annotations.',
    }),
    labelSelector: s.string({
      description: 'Label-selector expression matched against the labels.',
    }),
  },
  {
    description:
      'Selects resources by group, version, kind, name, namespace, labels or annotations.',
  },
);
export type Selector = Input<typeof selector>;

export const patch = s.object(
  {
    patch: s.string({ description: 'A strategic merge patch, or a JSON 6902 list of operations.' }),
    target: s.describe(selector, 'The resources to patch.'),
  },
  { description: 'An inline patch and the resources it applies to.', required: ['patch'] },
);
export type Patch = Input<typeof patch>;

export const image = s.object(
  {
    name: s.string({ description: 'Image name without tag, as found in the manifests.' }),
    newName: s.string({ description: 'Replacement image name.' }),
    newTag: s.string({ description: 'Replacement tag.' }),
    digest: s.string({ description: 'Replacement digest; when set, newTag is ignored.' }),
  },
  { description: 'An image name, tag or digest override.', required: ['name'] },
);
export type Image = Input<typeof image>;

export const customHealthCheck = s.object(
  {
    apiVersion: s.string({ description: 'API version of the custom resource.' }),
    kind: s.string({ description: 'Kind of the custom resource.' }),
    current: s.string({ description: 'CEL expression true when the resource is healthy.' }),
    inProgress: s.string({ description: 'CEL expression true while the resource progresses.' }),
    failed: s.string({ description: 'CEL expression true when the resource has failed.' }),
  },
  {
    description: 'CEL expressions assessing the health of a custom resource kind.',
    required: ['apiVersion', 'current'],
  },
);
export type CustomHealthCheck = Input<typeof customHealthCheck>;

export const namespacedObjectKindReference = s.object(
  {
    apiVersion: s.string({ description: 'API version; the preferred version when empty.' }),
    kind: s.string({ description: 'Kind of the object.' }),
    name: s.string({ description: 'Name of the object.' }),
    namespace: s.string({ description: 'Namespace of the object; none for cluster-wide kinds.' }),
  },
  { description: 'A typed object in any namespace.', required: ['kind', 'name'] },
);
export type NamespacedObjectKindReference = Input<typeof namespacedObjectKindReference>;

export const dependencyReference = s.object(
  {
    name: s.string({ description: 'Name of the Kustomization depended upon.' }),
    namespace: s.string({ description: "Its namespace; this object's namespace when empty." }),
    readyExpr: s.string({
      description: 'CEL expression replacing the built-in readiness check of the dependency.',
    }),
  },
  { description: 'A Kustomization that must be ready first.', required: ['name'] },
);
export type DependencyReference = Input<typeof dependencyReference>;

export const crossNamespaceSourceReference = s.object(
  {
    apiVersion: s.string({ description: 'API version of the source.' }),
    kind: s.enum(sourceKinds, { description: 'Kind of the source.' }),
    name: s.string({ description: 'Name of the source.' }),
    namespace: s.string({
      description: "Namespace of the source; this object's namespace when empty.",
    }),
  },
  { description: 'The source whose artifact holds the manifests.', required: ['kind', 'name'] },
);
export type CrossNamespaceSourceReference = Input<typeof crossNamespaceSourceReference>;

const kubeConfigExactlyOne =
  'exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be set';

export const kubeConfigReference = s.object(
  {
    configMapRef: s.describe(
      localObjectReference,
      'ConfigMap describing a cloud provider cluster to reach with workload identity.',
    ),
    secretRef: s.describe(
      secretKeyReference,
      "Secret holding a kubeconfig file, under 'value' unless key says otherwise.",
    ),
  },
  {
    description: 'A remote cluster to apply to, instead of the one the controller runs in.',
    validations: [
      {
        rule: 'has(self.configMapRef) || has(self.secretRef)',
        message: kubeConfigExactlyOne,
        holds: (ref) => ref.configMapRef !== undefined || ref.secretRef !== undefined,
      },
      {
        rule: '!has(self.configMapRef) || !has(self.secretRef)',
        message: kubeConfigExactlyOne,
        holds: (ref) => ref.configMapRef === undefined || ref.secretRef === undefined,
      },
    ],
  },
);
export type KubeConfigReference = Input<typeof kubeConfigReference>;

export const decryption = s.object(
  {
    provider: s.enum(['sops'], { description: 'The decryption engine; only sops.' }),
    serviceAccountName: s.string({
      description: 'ServiceAccount used to authenticate with cloud KMS services.',
    }),
    secretRef: s.describe(
      localObjectReference,
      'Secret with the keys: *.agekey, *.asc, sops.vault-token, sops.aws-kms, sops.azure-kv, sops.gcp-kms.',
    ),
  },
  { description: 'How to decrypt SOPS-encrypted manifests.', required: ['provider'] },
);
export type Decryption = Input<typeof decryption>;

export const substituteReference = s.object(
  {
    kind: s.enum(['Secret', 'ConfigMap'], { description: 'Secret or ConfigMap.' }),
    name: s.string({
      description: 'Name of the object, in the namespace of the Kustomization.',
      maxLength: 253,
      minLength: 1,
    }),
    optional: s.boolean({
      default: false,
      description: 'When true, a missing object counts as one without variables.',
    }),
  },
  {
    description: 'A ConfigMap or Secret whose keys are substitution variables.',
    required: ['kind', 'name'],
  },
);
export type SubstituteReference = Input<typeof substituteReference>;

export const postBuild = s.object(
  {
    substitute: s.map(s.string(), {
      description: 'Values for the variables referenced in the built manifests.',
    }),
    substituteFrom: s.array(substituteReference, {
      description: 'ConfigMaps and Secrets whose keys are variables too.',
    }),
    substituteStrategy: s.enum(substituteStrategies, {
      description:
        'WithVariables (the default) substitutes only when a variable is defined; Always substitutes regardless.',
    }),
  },
  { description: 'Steps run on the manifests after the kustomize build.' },
);
export type PostBuild = Input<typeof postBuild>;

export const ignoreRule = s.object(
  {
    paths: s.array(s.string(), { description: 'JSON Pointers (RFC 6901) to leave alone.' }),
    target: s.describe(selector, 'The objects the rule covers; all of them when empty.'),
  },
  { description: 'Fields to leave out of drift detection and apply.', required: ['paths'] },
);
export type IgnoreRule = Input<typeof ignoreRule>;
