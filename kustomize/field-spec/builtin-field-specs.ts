// Facts from kustomize v5.5.0 (api/internal/konfig/builtinpluginconsts): which fields each
// built-in transformer touches. Each row is [path, 'group|version|kind' filter, create?]; an
// empty part of the filter matches anything. A `\\/` in a path is a literal slash in a key.

/** One row of a field-spec table: path, `group|version|kind` filter, create when missing. */
export type FieldSpecRow = readonly [path: string, gvk: string, create?: boolean];

/** The resources whose name the fields in `referrers` hold. */
export interface NameReferenceRow {
  /** `group|version|kind` of the referenced resource. */
  target: string;
  referrers: readonly FieldSpecRow[];
}

/** Where `labels` without selectors and template labels go. */
export const metadataLabelsFieldSpecs: readonly FieldSpecRow[] = [
  ['metadata/labels', '||', true],
  ['spec/template/metadata/labels', '|v1|ReplicationController', true],
  ['spec/template/metadata/labels', '||Deployment', true],
  ['spec/template/metadata/labels', '||ReplicaSet', true],
  ['spec/template/metadata/labels', '||DaemonSet', true],
  ['spec/template/metadata/labels', 'apps||StatefulSet', true],
  ['spec/volumeClaimTemplates[]/metadata/labels', 'apps||StatefulSet', true],
  ['spec/template/metadata/labels', 'batch||Job', true],
  ['spec/jobTemplate/metadata/labels', 'batch||CronJob', true],
  ['spec/jobTemplate/spec/template/metadata/labels', 'batch||CronJob', true],
];

/** Where `commonLabels` (and labels with `includeSelectors`) go. */
export const commonLabelsFieldSpecs: readonly FieldSpecRow[] = [
  ['spec/selector', '|v1|Service', true],
  ['spec/selector', '|v1|ReplicationController', true],
  ['spec/selector/matchLabels', '||Deployment', true],
  [
    'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'apps||Deployment',
  ],
  [
    'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'apps||Deployment',
  ],
  [
    'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'apps||Deployment',
  ],
  [
    'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'apps||Deployment',
  ],
  ['spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels', 'apps||Deployment'],
  ['spec/selector/matchLabels', '||ReplicaSet', true],
  ['spec/selector/matchLabels', '||DaemonSet', true],
  ['spec/selector/matchLabels', 'apps||StatefulSet', true],
  [
    'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'apps||StatefulSet',
  ],
  [
    'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'apps||StatefulSet',
  ],
  [
    'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'apps||StatefulSet',
  ],
  [
    'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'apps||StatefulSet',
  ],
  ['spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels', 'apps||StatefulSet'],
  ['spec/selector/matchLabels', 'batch||Job'],
  ['spec/jobTemplate/spec/selector/matchLabels', 'batch||CronJob'],
  ['spec/selector/matchLabels', 'policy||PodDisruptionBudget'],
  ['spec/podSelector/matchLabels', 'networking.k8s.io||NetworkPolicy'],
  ['spec/ingress/from/podSelector/matchLabels', 'networking.k8s.io||NetworkPolicy'],
  ['spec/egress/to/podSelector/matchLabels', 'networking.k8s.io||NetworkPolicy'],
  // The metadata and template labels come last, as in kustomize's table.
  ...metadataLabelsFieldSpecs,
];

/** Where labels with `includeTemplates` go (same rows as metadata labels). */
export const templateLabelsFieldSpecs: readonly FieldSpecRow[] = metadataLabelsFieldSpecs;

/** Where `commonAnnotations` go. */
export const commonAnnotationsFieldSpecs: readonly FieldSpecRow[] = [
  ['metadata/annotations', '||', true],
  ['spec/template/metadata/annotations', '|v1|ReplicationController', true],
  ['spec/template/metadata/annotations', '||Deployment', true],
  ['spec/template/metadata/annotations', '||ReplicaSet', true],
  ['spec/template/metadata/annotations', '||DaemonSet', true],
  ['spec/template/metadata/annotations', '||StatefulSet', true],
  ['spec/template/metadata/annotations', 'batch||Job', true],
  ['spec/jobTemplate/metadata/annotations', 'batch||CronJob', true],
  ['spec/jobTemplate/spec/template/metadata/annotations', 'batch||CronJob', true],
];

/** Where `images` look for container images. */
export const imagesFieldSpecs: readonly FieldSpecRow[] = [
  ['spec/containers[]/image', '||', true],
  ['spec/initContainers[]/image', '||', true],
  ['spec/template/spec/containers[]/image', '||', true],
  ['spec/template/spec/initContainers[]/image', '||', true],
];

/** Fields besides `metadata.namespace` that `namespace` sets. */
export const namespaceFieldSpecs: readonly FieldSpecRow[] = [
  ['metadata/name', '||Namespace', true],
  ['spec/service/namespace', 'apiregistration.k8s.io||APIService', true],
  [
    'spec/conversion/webhook/clientConfig/service/namespace',
    'apiextensions.k8s.io||CustomResourceDefinition',
  ],
];

/** Where `replicas` sets the count. */
export const replicasFieldSpecs: readonly FieldSpecRow[] = [
  ['spec/replicas', '||Deployment', true],
  ['spec/replicas', '||ReplicationController', true],
  ['spec/replicas', '||ReplicaSet', true],
  ['spec/replicas', '||StatefulSet', true],
];

/** Where `namePrefix` applies. */
export const namePrefixFieldSpecs: readonly FieldSpecRow[] = [['metadata/name', '||']];

/** Where `nameSuffix` applies. */
export const nameSuffixFieldSpecs: readonly FieldSpecRow[] = [['metadata/name', '||']];

/** Which fields refer to which kinds by name; updated when a name changes. */
export const nameReferenceFieldSpecs: readonly NameReferenceRow[] = [
  {
    target: '||Deployment',
    referrers: [['spec/scaleTargetRef/name', '||HorizontalPodAutoscaler']],
  },
  {
    target: '||ReplicationController',
    referrers: [['spec/scaleTargetRef/name', '||HorizontalPodAutoscaler']],
  },
  {
    target: '||ReplicaSet',
    referrers: [['spec/scaleTargetRef/name', '||HorizontalPodAutoscaler']],
  },
  {
    target: '||StatefulSet',
    referrers: [['spec/scaleTargetRef/name', '||HorizontalPodAutoscaler']],
  },
  {
    target: '|v1|ConfigMap',
    referrers: [
      ['spec/volumes/configMap/name', '|v1|Pod'],
      ['spec/containers/env/valueFrom/configMapKeyRef/name', '|v1|Pod'],
      ['spec/initContainers/env/valueFrom/configMapKeyRef/name', '|v1|Pod'],
      ['spec/containers/envFrom/configMapRef/name', '|v1|Pod'],
      ['spec/initContainers/envFrom/configMapRef/name', '|v1|Pod'],
      ['spec/volumes/projected/sources/configMap/name', '|v1|Pod'],
      ['template/spec/volumes/configMap/name', '||PodTemplate'],
      ['template/spec/containers/env/valueFrom/configMapKeyRef/name', '||PodTemplate'],
      ['template/spec/initContainers/env/valueFrom/configMapKeyRef/name', '||PodTemplate'],
      ['template/spec/containers/envFrom/configMapRef/name', '||PodTemplate'],
      ['template/spec/initContainers/envFrom/configMapRef/name', '||PodTemplate'],
      ['template/spec/volumes/projected/sources/configMap/name', '||PodTemplate'],
      ['spec/template/spec/volumes/configMap/name', '||Deployment'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', '||Deployment'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', '||Deployment'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', '||Deployment'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', '||Deployment'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', '||Deployment'],
      ['spec/template/spec/volumes/configMap/name', '||ReplicaSet'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', '||ReplicaSet'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', '||ReplicaSet'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', '||ReplicaSet'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', '||ReplicaSet'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', '||ReplicaSet'],
      ['spec/template/spec/volumes/configMap/name', '||DaemonSet'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', '||DaemonSet'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', '||DaemonSet'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', '||DaemonSet'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', '||DaemonSet'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', '||DaemonSet'],
      ['spec/template/spec/volumes/configMap/name', '||StatefulSet'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', '||StatefulSet'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', '||StatefulSet'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', '||StatefulSet'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', '||StatefulSet'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', '||StatefulSet'],
      ['spec/template/spec/volumes/configMap/name', '||Job'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', '||Job'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', '||Job'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', '||Job'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', '||Job'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', '||Job'],
      ['spec/jobTemplate/spec/template/spec/volumes/configMap/name', '||CronJob'],
      ['spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name', '||CronJob'],
      [
        'spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name',
        '||CronJob',
      ],
      [
        'spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name',
        '||CronJob',
      ],
      ['spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name', '||CronJob'],
      ['spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name', '||CronJob'],
      ['spec/configSource/configMap', '||Node'],
      ['rules/resourceNames', '||Role'],
      ['rules/resourceNames', '||ClusterRole'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', '||Ingress'],
    ],
  },
  {
    target: '|v1|Secret',
    referrers: [
      ['spec/volumes/secret/secretName', '|v1|Pod'],
      ['spec/containers/env/valueFrom/secretKeyRef/name', '|v1|Pod'],
      ['spec/initContainers/env/valueFrom/secretKeyRef/name', '|v1|Pod'],
      ['spec/containers/envFrom/secretRef/name', '|v1|Pod'],
      ['spec/initContainers/envFrom/secretRef/name', '|v1|Pod'],
      ['spec/imagePullSecrets/name', '|v1|Pod'],
      ['spec/volumes/projected/sources/secret/name', '|v1|Pod'],
      ['template/spec/volumes/secret/secretName', '||PodTemplate'],
      ['template/spec/containers/env/valueFrom/secretKeyRef/name', '||PodTemplate'],
      ['template/spec/initContainers/env/valueFrom/secretKeyRef/name', '||PodTemplate'],
      ['template/spec/containers/envFrom/secretRef/name', '||PodTemplate'],
      ['template/spec/initContainers/envFrom/secretRef/name', '||PodTemplate'],
      ['template/spec/imagePullSecrets/name', '||PodTemplate'],
      ['template/spec/volumes/projected/sources/secret/name', '||PodTemplate'],
      ['spec/template/spec/volumes/secret/secretName', '||Deployment'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', '||Deployment'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', '||Deployment'],
      ['spec/template/spec/containers/envFrom/secretRef/name', '||Deployment'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', '||Deployment'],
      ['spec/template/spec/imagePullSecrets/name', '||Deployment'],
      ['spec/template/spec/volumes/projected/sources/secret/name', '||Deployment'],
      ['spec/template/spec/volumes/secret/secretName', '||ReplicaSet'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', '||ReplicaSet'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', '||ReplicaSet'],
      ['spec/template/spec/containers/envFrom/secretRef/name', '||ReplicaSet'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', '||ReplicaSet'],
      ['spec/template/spec/imagePullSecrets/name', '||ReplicaSet'],
      ['spec/template/spec/volumes/projected/sources/secret/name', '||ReplicaSet'],
      ['spec/template/spec/volumes/secret/secretName', '||DaemonSet'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', '||DaemonSet'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', '||DaemonSet'],
      ['spec/template/spec/containers/envFrom/secretRef/name', '||DaemonSet'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', '||DaemonSet'],
      ['spec/template/spec/imagePullSecrets/name', '||DaemonSet'],
      ['spec/template/spec/volumes/projected/sources/secret/name', '||DaemonSet'],
      ['spec/template/spec/volumes/secret/secretName', '||StatefulSet'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', '||StatefulSet'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', '||StatefulSet'],
      ['spec/template/spec/containers/envFrom/secretRef/name', '||StatefulSet'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', '||StatefulSet'],
      ['spec/template/spec/imagePullSecrets/name', '||StatefulSet'],
      ['spec/template/spec/volumes/projected/sources/secret/name', '||StatefulSet'],
      ['spec/template/spec/volumes/secret/secretName', '||Job'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', '||Job'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', '||Job'],
      ['spec/template/spec/containers/envFrom/secretRef/name', '||Job'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', '||Job'],
      ['spec/template/spec/imagePullSecrets/name', '||Job'],
      ['spec/template/spec/volumes/projected/sources/secret/name', '||Job'],
      ['spec/jobTemplate/spec/template/spec/volumes/secret/secretName', '||CronJob'],
      ['spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name', '||CronJob'],
      [
        'spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name',
        '||CronJob',
      ],
      [
        'spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name',
        '||CronJob',
      ],
      ['spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name', '||CronJob'],
      ['spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name', '||CronJob'],
      ['spec/jobTemplate/spec/template/spec/imagePullSecrets/name', '||CronJob'],
      ['spec/tls/secretName', '||Ingress'],
      ['metadata/annotations/ingress.kubernetes.io\\/auth-secret', '||Ingress'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', '||Ingress'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', '||Ingress'],
      ['spec/tls/secretName', '||Ingress'],
      ['imagePullSecrets/name', '||ServiceAccount'],
      ['parameters/secretName', '||StorageClass'],
      ['parameters/adminSecretName', '||StorageClass'],
      ['parameters/userSecretName', '||StorageClass'],
      ['parameters/secretRef', '||StorageClass'],
      ['rules/resourceNames', '||Role'],
      ['rules/resourceNames', '||ClusterRole'],
      [
        'spec/template/spec/containers/env/valueFrom/secretKeyRef/name',
        'serving.knative.dev|v1|Service',
      ],
      ['spec/azureFile/secretName', '||PersistentVolume'],
    ],
  },
  {
    target: '|v1|Service',
    referrers: [
      ['spec/serviceName', 'apps||StatefulSet'],
      ['spec/rules/http/paths/backend/serviceName', '||Ingress'],
      ['spec/backend/serviceName', '||Ingress'],
      ['spec/rules/http/paths/backend/service/name', '||Ingress'],
      ['spec/defaultBackend/service/name', '||Ingress'],
      ['spec/service/name', 'apiregistration.k8s.io||APIService'],
      [
        'webhooks/clientConfig/service',
        'admissionregistration.k8s.io||ValidatingWebhookConfiguration',
      ],
      [
        'webhooks/clientConfig/service',
        'admissionregistration.k8s.io||MutatingWebhookConfiguration',
      ],
    ],
  },
  {
    target: 'rbac.authorization.k8s.io||Role',
    referrers: [['roleRef/name', 'rbac.authorization.k8s.io||RoleBinding']],
  },
  {
    target: 'rbac.authorization.k8s.io||ClusterRole',
    referrers: [
      ['roleRef/name', 'rbac.authorization.k8s.io||RoleBinding'],
      ['roleRef/name', 'rbac.authorization.k8s.io||ClusterRoleBinding'],
    ],
  },
  {
    target: '|v1|ServiceAccount',
    referrers: [
      ['subjects', 'rbac.authorization.k8s.io||RoleBinding'],
      ['subjects', 'rbac.authorization.k8s.io||ClusterRoleBinding'],
      ['spec/serviceAccountName', '||Pod'],
      ['spec/template/spec/serviceAccountName', '||StatefulSet'],
      ['spec/template/spec/serviceAccountName', '||Deployment'],
      ['spec/template/spec/serviceAccountName', '||ReplicationController'],
      ['spec/jobTemplate/spec/template/spec/serviceAccountName', '||CronJob'],
      ['spec/template/spec/serviceAccountName', '||Job'],
      ['spec/template/spec/serviceAccountName', '||DaemonSet'],
    ],
  },
  {
    target: '|v1|PersistentVolumeClaim',
    referrers: [
      ['spec/volumes/persistentVolumeClaim/claimName', '||Pod'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', '||StatefulSet'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', '||Deployment'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', '||ReplicationController'],
      ['spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName', '||CronJob'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', '||Job'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', '||DaemonSet'],
    ],
  },
  {
    target: '|v1|PersistentVolume',
    referrers: [
      ['spec/volumeName', '||PersistentVolumeClaim'],
      ['rules/resourceNames', '||ClusterRole'],
    ],
  },
  {
    target: 'storage.k8s.io|v1|StorageClass',
    referrers: [
      ['spec/storageClassName', '||PersistentVolume'],
      ['spec/storageClassName', '||PersistentVolumeClaim'],
      ['spec/volumeClaimTemplates/spec/storageClassName', '||StatefulSet'],
    ],
  },
  {
    target: 'scheduling.k8s.io|v1|PriorityClass',
    referrers: [
      ['spec/priorityClassName', '||Pod'],
      ['spec/template/spec/priorityClassName', '||StatefulSet'],
      ['spec/template/spec/priorityClassName', '||Deployment'],
      ['spec/template/spec/priorityClassName', '||ReplicationController'],
      ['spec/jobTemplate/spec/template/spec/priorityClassName', '||CronJob'],
      ['spec/template/spec/priorityClassName', '||Job'],
      ['spec/template/spec/priorityClassName', '||DaemonSet'],
    ],
  },
  {
    target: 'networking.k8s.io/v1|v1|IngressClass',
    referrers: [['spec/ingressClassName', '||Ingress']],
  },
  {
    target: 'admissionregistration.k8s.io||ValidatingAdmissionPolicy',
    referrers: [
      ['spec/policyName', 'admissionregistration.k8s.io||ValidatingAdmissionPolicyBinding'],
    ],
  },
];
