import { describe, expect, it } from 'vitest';
import { computeStatus } from './kstatus.ts';
import type { KubeObject } from './kube-object.ts';

function object(
  apiVersion: string,
  kind: string,
  fields: { generation?: number; spec?: unknown; status?: unknown; deleting?: boolean } = {},
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name: 'x',
      ...(fields.generation === undefined ? {} : { generation: fields.generation }),
      ...(fields.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    ...(fields.spec === undefined ? {} : { spec: fields.spec }),
    ...(fields.status === undefined ? {} : { status: fields.status }),
  };
}

const rolledOut = {
  observedGeneration: 2,
  replicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
  conditions: [
    { type: 'Available', status: 'True' },
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
  ],
};

describe('kstatus', () => {
  it.each([
    {
      name: 'a deleted object is Terminating',
      input: object('v1', 'ConfigMap', { deleting: true }),
      want: ['Terminating', 'Resource scheduled for deletion'],
    },
    {
      name: 'a ConfigMap is always Current',
      input: object('v1', 'ConfigMap'),
      want: ['Current', 'Resource is always ready'],
    },
    {
      name: 'a Deployment whose generation is not observed is InProgress',
      input: object('apps/v1', 'Deployment', {
        generation: 3,
        spec: { replicas: 2 },
        status: rolledOut,
      }),
      want: ['InProgress', 'Deployment generation is 3, but latest observed generation is 2'],
    },
    {
      name: 'a rolled out Deployment is Current',
      input: object('apps/v1', 'Deployment', {
        generation: 2,
        spec: { replicas: 2, progressDeadlineSeconds: 600 },
        status: rolledOut,
      }),
      want: ['Current', 'Deployment is available. Replicas: 2'],
    },
    {
      name: 'a Deployment short of replicas is InProgress',
      input: object('apps/v1', 'Deployment', { spec: { replicas: 3 }, status: { replicas: 1 } }),
      want: ['InProgress', 'Replicas: 1/3'],
    },
    {
      name: 'a Deployment past its progress deadline is Failed',
      input: object('apps/v1', 'Deployment', {
        spec: { replicas: 1 },
        status: {
          conditions: [
            { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' },
          ],
        },
      }),
      want: ['Failed', 'Progress deadline exceeded'],
    },
    {
      name: 'a StatefulSet with all replicas ready on one revision is Current',
      input: object('apps/v1', 'StatefulSet', {
        spec: { replicas: 2 },
        status: {
          replicas: 2,
          readyReplicas: 2,
          currentReplicas: 2,
          updatedReplicas: 2,
          currentRevision: 'a',
          updateRevision: 'a',
        },
      }),
      want: ['Current', 'All replicas scheduled as expected. Replicas: 2'],
    },
    {
      name: 'a StatefulSet mid-update is InProgress',
      input: object('apps/v1', 'StatefulSet', {
        spec: { replicas: 2 },
        status: {
          replicas: 2,
          readyReplicas: 2,
          currentReplicas: 2,
          currentRevision: 'a',
          updateRevision: 'b',
        },
      }),
      want: ['InProgress', 'Waiting for updated revision to match current'],
    },
    {
      name: 'a DaemonSet never observed is InProgress',
      input: object('apps/v1', 'DaemonSet', { generation: 1, status: {} }),
      want: ['InProgress', 'DaemonSet status.observedGeneration not found'],
    },
    {
      name: 'a DaemonSet scheduled everywhere is Current',
      input: object('apps/v1', 'DaemonSet', {
        generation: 1,
        status: {
          observedGeneration: 1,
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 3,
          numberReady: 3,
        },
      }),
      want: ['Current', 'All replicas scheduled as expected. Replicas: 3'],
    },
    {
      name: 'a complete Job is Current',
      input: object('batch/v1', 'Job', {
        status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
      }),
      want: ['Current', 'Job Completed. succeeded: 1/1'],
    },
    {
      name: 'a failed Job is Failed',
      input: object('batch/v1', 'Job', {
        status: { failed: 2, conditions: [{ type: 'Failed', status: 'True' }] },
      }),
      want: ['Failed', 'Job Failed. failed: 2/1'],
    },
    {
      name: 'a Job not started is InProgress',
      input: object('batch/v1', 'Job', { status: {} }),
      want: ['InProgress', 'Job not started'],
    },
    {
      name: 'a bound PVC is Current',
      input: object('v1', 'PersistentVolumeClaim', { status: { phase: 'Bound' } }),
      want: ['Current', 'PVC is Bound'],
    },
    {
      name: 'a pending PVC is InProgress',
      input: object('v1', 'PersistentVolumeClaim', { status: { phase: 'Pending' } }),
      want: ['InProgress', 'PVC is not Bound. phase: Pending'],
    },
    {
      name: 'a LoadBalancer Service without a cluster IP is InProgress',
      input: object('v1', 'Service', { spec: { type: 'LoadBalancer' } }),
      want: ['InProgress', 'ClusterIP not set. Service type: LoadBalancer'],
    },
    {
      name: 'a ClusterIP Service is Current',
      input: object('v1', 'Service', { spec: { clusterIP: '10.0.0.1' } }),
      want: ['Current', 'Service is ready'],
    },
    {
      name: 'a crash-looping Pod is Failed',
      input: object('v1', 'Pod', {
        status: {
          phase: 'Running',
          containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        },
      }),
      want: ['Failed', 'Containers in CrashLoop state: app'],
    },
    {
      name: 'a ready Pod is Current',
      input: object('v1', 'Pod', {
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      }),
      want: ['Current', 'Pod is Ready'],
    },
    {
      name: 'an Established CRD is Current',
      input: object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {
        status: { conditions: [{ type: 'Established', status: 'True' }] },
      }),
      want: ['Current', 'CRD is established'],
    },
    {
      name: 'a custom resource with Ready=False is InProgress with its message',
      input: object('example.com/v1', 'Widget', {
        generation: 1,
        status: {
          observedGeneration: 1,
          conditions: [{ type: 'Ready', status: 'False', reason: 'Down', message: 'db down' }],
        },
      }),
      want: ['InProgress', 'db down'],
    },
    {
      name: 'a custom resource with Stalled=True is Failed',
      input: object('example.com/v1', 'Widget', {
        status: { conditions: [{ type: 'Stalled', status: 'True', message: 'bad spec' }] },
      }),
      want: ['Failed', 'bad spec'],
    },
    {
      name: 'a custom resource with Reconciling=True is InProgress',
      input: object('example.com/v1', 'Widget', {
        status: { conditions: [{ type: 'Reconciling', status: 'True', message: 'working' }] },
      }),
      want: ['InProgress', 'working'],
    },
    {
      name: 'a custom resource without conditions is Current',
      input: object('example.com/v1', 'Widget', { status: {} }),
      want: ['Current', 'Resource is current'],
    },
  ])('$name', ({ input, want }) => {
    const result = computeStatus(input);
    expect([result.status, result.message]).toEqual(want);
  });
});
