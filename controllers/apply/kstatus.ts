import { isRecord, type KubeObject, parseApiVersion } from './kube-object.ts';

/** kstatus' statuses (sigs.k8s.io/cli-utils pkg/kstatus/status). */
export type KStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating' | 'NotFound' | 'Unknown';

export interface KStatusResult {
  readonly status: KStatus;
  readonly message: string;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

const current = (message: string): KStatusResult => ({ status: 'Current', message });
const inProgress = (message: string): KStatusResult => ({ status: 'InProgress', message });
const failed = (message: string): KStatusResult => ({ status: 'Failed', message });

function field(object: unknown, path: string): unknown {
  let value = object;
  for (const key of path.split('.')) value = isRecord(value) ? value[key] : undefined;
  return value;
}

function intField(object: unknown, path: string, fallback: number): number {
  const value = field(object, path);
  return typeof value === 'number' ? value : fallback;
}

function stringField(object: unknown, path: string, fallback: string): string {
  const value = field(object, path);
  return typeof value === 'string' ? value : fallback;
}

function conditionsOf(object: KubeObject): Condition[] {
  const list = field(object, 'status.conditions');
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((c) => ({
    type: typeof c.type === 'string' ? c.type : '',
    status: typeof c.status === 'string' ? c.status : '',
    reason: typeof c.reason === 'string' ? c.reason : '',
    message: typeof c.message === 'string' ? c.message : '',
  }));
}

/**
 * Computes an object's status with kstatus' rules: Terminating when deleted; InProgress
 * while status.observedGeneration lags metadata.generation; Reconciling=True is InProgress,
 * Stalled=True is Failed; then the built-in kinds' own rules; then a `Ready` condition;
 * anything else is Current.
 */
export function computeStatus(object: KubeObject): KStatusResult {
  if (object.metadata.deletionTimestamp)
    return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  const generation = field(object, 'metadata.generation');
  const observed = field(object, 'status.observedGeneration');
  if (typeof generation === 'number' && typeof observed === 'number' && generation !== observed) {
    return inProgress(
      `${object.kind} generation is ${generation}, but latest observed generation is ${observed}`,
    );
  }
  const conditions = conditionsOf(object);
  for (const c of conditions) {
    if (c.type === 'Reconciling' && c.status === 'True') return inProgress(c.message || c.reason);
    if (c.type === 'Stalled' && c.status === 'True') return failed(c.message || c.reason);
  }
  const { group } = parseApiVersion(object.apiVersion);
  const legacy = legacyRules[group === '' ? object.kind : `${group}/${object.kind}`];
  if (legacy) return legacy(object, conditions);
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return current('Resource is Ready');
  if (ready?.status === 'False' || ready?.status === 'Unknown') {
    return inProgress(ready.message || ready.reason || `Ready is ${ready.status}`);
  }
  return current('Resource is current');
}

type Rule = (object: KubeObject, conditions: Condition[]) => KStatusResult;

const alwaysReady: Rule = () => current('Resource is always ready');

const legacyRules: Readonly<Record<string, Rule>> = {
  Service: serviceStatus,
  Pod: podStatus,
  Secret: alwaysReady,
  ConfigMap: alwaysReady,
  PersistentVolumeClaim: (o) => {
    const phase = stringField(o, 'status.phase', 'unknown');
    return phase === 'Bound'
      ? current('PVC is Bound')
      : inProgress(`PVC is not Bound. phase: ${phase}`);
  },
  'apps/StatefulSet': statefulSetStatus,
  'apps/DaemonSet': daemonSetStatus,
  'apps/Deployment': deploymentStatus,
  'apps/ReplicaSet': replicaSetStatus,
  'policy/PodDisruptionBudget': () => current('AllowedDisruptions has been computed.'),
  'batch/CronJob': alwaysReady,
  'batch/Job': jobStatus,
  'apiextensions.k8s.io/CustomResourceDefinition': crdStatus,
};

function deploymentStatus(o: KubeObject, conditions: Condition[]): KStatusResult {
  // Without progressDeadlineSeconds the controller never sets Progressing; kstatus then
  // treats the rollout as progressing.
  let progressing = field(o, 'spec.progressDeadlineSeconds') === undefined;
  let available = false;
  for (const c of conditions) {
    if (c.type === 'Progressing') {
      if (c.reason === 'ProgressDeadlineExceeded') return failed('Progress deadline exceeded');
      if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    }
    if (c.type === 'Available' && c.status === 'True') available = true;
  }
  const spec = intField(o, 'spec.replicas', 1);
  const replicas = intField(o, 'status.replicas', 0);
  const updated = intField(o, 'status.updatedReplicas', 0);
  const ready = intField(o, 'status.readyReplicas', 0);
  const availableReplicas = intField(o, 'status.availableReplicas', 0);
  if (spec > replicas) return inProgress(`Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress(`Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress(`Pending termination: ${replicas - spec}`);
  if (updated > availableReplicas) return inProgress(`Available: ${availableReplicas}/${updated}`);
  if (spec > ready) return inProgress(`Ready: ${ready}/${spec}`);
  if (!progressing) return inProgress('ReplicaSet not Available');
  if (!available) return inProgress('Deployment not Available');
  return current(`Deployment is available. Replicas: ${replicas}`);
}

function replicaSetStatus(o: KubeObject, conditions: Condition[]): KStatusResult {
  if (conditions.some((c) => c.type === 'ReplicaFailure' && c.status === 'True')) {
    return inProgress('Replica Failure condition. Check Pods');
  }
  const spec = intField(o, 'spec.replicas', 1);
  const replicas = intField(o, 'status.replicas', 0);
  const labelled = intField(o, 'status.fullyLabeledReplicas', 0);
  const availableReplicas = intField(o, 'status.availableReplicas', 0);
  const ready = intField(o, 'status.readyReplicas', 0);
  if (spec > labelled) return inProgress(`Labelled: ${labelled}/${spec}`);
  if (spec > availableReplicas) return inProgress(`Available: ${availableReplicas}/${spec}`);
  if (spec > ready) return inProgress(`Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress(`Pending termination: ${replicas - spec}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
}

function statefulSetStatus(o: KubeObject): KStatusResult {
  if (stringField(o, 'spec.updateStrategy.type', '') === 'OnDelete') {
    return current('StatefulSet is using the ondelete update strategy');
  }
  const spec = intField(o, 'spec.replicas', 1);
  const ready = intField(o, 'status.readyReplicas', 0);
  const currentReplicas = intField(o, 'status.currentReplicas', 0);
  const updated = intField(o, 'status.updatedReplicas', 0);
  const replicas = intField(o, 'status.replicas', 0);
  const partition = intField(o, 'spec.updateStrategy.rollingUpdate.partition', -1);
  if (spec > replicas) return inProgress(`Replicas: ${replicas}/${spec}`);
  if (spec > ready) return inProgress(`Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress(`Pending termination: ${replicas - spec}`);
  if (partition !== -1) {
    if (updated < spec - partition) return inProgress(`updated: ${updated}/${spec - partition}`);
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  if (spec > currentReplicas) return inProgress(`current: ${currentReplicas}/${spec}`);
  if (
    stringField(o, 'status.currentRevision', '') !== stringField(o, 'status.updateRevision', '')
  ) {
    return inProgress('Waiting for updated revision to match current');
  }
  return current(`All replicas scheduled as expected. Replicas: ${replicas}`);
}

function daemonSetStatus(o: KubeObject): KStatusResult {
  // The DaemonSet controller always sets these once it acted; their absence means it has not.
  if (field(o, 'metadata.generation') === undefined)
    return inProgress('DaemonSet metadata.generation not found');
  if (field(o, 'status.observedGeneration') === undefined) {
    return inProgress('DaemonSet status.observedGeneration not found');
  }
  const desired = intField(o, 'status.desiredNumberScheduled', -1);
  const scheduled = intField(o, 'status.currentNumberScheduled', 0);
  const updated = intField(o, 'status.updatedNumberScheduled', 0);
  const availableNumber = intField(o, 'status.numberAvailable', 0);
  const ready = intField(o, 'status.numberReady', 0);
  if (desired === -1) return inProgress('Missing .status.desiredNumberScheduled');
  if (desired > scheduled) return inProgress(`Current: ${scheduled}/${desired}`);
  if (desired > updated) return inProgress(`Updated: ${updated}/${desired}`);
  if (desired > availableNumber) return inProgress(`Available: ${availableNumber}/${desired}`);
  if (desired > ready) return inProgress(`Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function jobStatus(o: KubeObject, conditions: Condition[]): KStatusResult {
  const parallelism = intField(o, 'spec.parallelism', 1);
  const completions = intField(o, 'spec.completions', parallelism);
  const succeeded = intField(o, 'status.succeeded', 0);
  const failedPods = intField(o, 'status.failed', 0);
  const active = intField(o, 'status.active', 0);
  for (const c of conditions) {
    if (c.type === 'Complete' && c.status === 'True') {
      return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    }
    if (c.type === 'Failed' && c.status === 'True') {
      return failed(`Job Failed. failed: ${failedPods}/${completions}`);
    }
  }
  if (stringField(o, 'status.startTime', '') === '') return inProgress('Job not started');
  return current(`Job in progress. success:${succeeded}, active: ${active}, failed: ${failedPods}`);
}

function serviceStatus(o: KubeObject): KStatusResult {
  if (
    stringField(o, 'spec.type', 'ClusterIP') === 'LoadBalancer' &&
    stringField(o, 'spec.clusterIP', '') === ''
  ) {
    return inProgress('ClusterIP not set. Service type: LoadBalancer');
  }
  return current('Service is ready');
}

// How long a Pod may stay unscheduled before kstatus calls it Failed.
const scheduleWindowMs = 15_000;

function podStatus(o: KubeObject, conditions: Condition[]): KStatusResult {
  const phase = stringField(o, 'status.phase', '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) {
        return current('Pod is Ready');
      }
      const crashLooping = crashLoopingContainers(o);
      if (crashLooping.length > 0) {
        return failed(`Containers in CrashLoop state: ${crashLooping.join(',')}`);
      }
      return inProgress('Pod is running but is not Ready');
    }
    case 'Pending': {
      const scheduled = conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      if (scheduled?.reason === 'Unschedulable') {
        const created = Date.parse(stringField(o, 'metadata.creationTimestamp', ''));
        if (Number.isNaN(created) || Date.now() - scheduleWindowMs < created) {
          return inProgress('Pod has not been scheduled');
        }
        return failed('Pod could not be scheduled');
      }
      return inProgress('Pod is in the Pending phase');
    }
    case '':
      return inProgress('Pod phase not available');
    default:
      return { status: 'Unknown', message: `unknown phase ${phase}` };
  }
}

function crashLoopingContainers(o: KubeObject): string[] {
  const statuses = field(o, 'status.containerStatuses');
  if (!Array.isArray(statuses)) return [];
  return statuses
    .filter((s) => stringField(s, 'state.waiting.reason', '') === 'CrashLoopBackOff')
    .map((s) => stringField(s, 'name', ''));
}

function crdStatus(_o: KubeObject, conditions: Condition[]): KStatusResult {
  for (const c of conditions) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.message || c.reason);
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.message || c.reason);
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Install in progress');
}
