import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomHealthCheck } from '../../api/index.ts';
import { applyRawClusterObject, rawRequest } from '../api/raw-apply.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  ArtifactFiles,
  condition,
  createKustomization,
  hasFailed,
  installCrds,
  isAppliedAt,
  type PublishedArtifact,
  type RunningKustomizeController,
  setArtifact,
  startKustomizeController,
  waitForKustomization,
} from './kustomize-env.ts';

// A custom resource whose health only the expressions (or kstatus' defaults) can tell.
const group = 'health-exprs.kustodian.test';
const apiVersion = `${group}/v1`;
const readyTrue = "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')";
const readyFalse = "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')";
const widgetChecks: CustomHealthCheck[] = [
  { apiVersion, kind: 'Widget', current: readyTrue, failed: readyFalse },
];

let env: TestEnv;
let files: ArtifactFiles;
let controller: RunningKustomizeController;
let artifact: PublishedArtifact;

const widgetYaml = (name: string) =>
  `apiVersion: ${apiVersion}\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n  size: 1\n`;

async function installWidgetCrd(): Promise<void> {
  const name = `widgets.${group}`;
  await applyRawClusterObject(
    env.kubeConfig,
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group,
        names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        ],
      },
    },
    'kustodian-health-exprs-test',
  );
  const extensions = env.kubeConfig.makeApiClient(ApiextensionsV1Api);
  await waitFor(`CRD ${name} to be Established`, async () => {
    const read = await extensions.readCustomResourceDefinition({ name });
    const established = read.status?.conditions?.find((c) => c.type === 'Established');
    return established?.status === 'True' ? true : undefined;
  });
}

function widgetPath(name: string): string {
  return `/apis/${group}/v1/namespaces/${env.namespace}/widgets/${name}`;
}

async function readWidget(name: string): Promise<unknown> {
  return rawRequest(env.kubeConfig, { method: 'GET', path: widgetPath(name) }).catch(
    () => undefined,
  );
}

/** Writes the Widget's Ready condition, as its own controller would. */
async function setWidgetReady(name: string, status: 'True' | 'False'): Promise<void> {
  await waitFor(`Widget ${name} to be applied`, () => readWidget(name));
  await rawRequest(env.kubeConfig, {
    method: 'PATCH',
    path: `${widgetPath(name)}/status`,
    contentType: 'application/merge-patch+json',
    body: { status: { conditions: [{ type: 'Ready', status, reason: 'Test', message: 'm' }] } },
  });
}

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'ks-cel' });
  await installCrds(env);
  await installWidgetCrd();
  files = await ArtifactFiles.start();
  artifact = await files.publish({
    'current/widget.yaml': widgetYaml('w-current'),
    'failed/widget.yaml': widgetYaml('w-failed'),
    'invalid/widget.yaml': widgetYaml('w-invalid'),
    'unmatched/widget.yaml': widgetYaml('w-unmatched'),
  });
  await setArtifact(env, 'fleet', artifact);
  controller = await startKustomizeController(env);
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await files?.stop();
  await env?.stop();
});

describe('spec.healthCheckExprs', () => {
  it('waits while the current expression is not true, then is Ready', async () => {
    await createKustomization(env, 'current', {
      path: './current',
      wait: true,
      timeout: '1m',
      healthCheckExprs: widgetChecks,
    });
    // No status yet: the expressions cannot be evaluated, so the health check goes on.
    const waiting = await waitForKustomization(
      env,
      'current',
      'health check running',
      (ks) => condition(ks, 'Healthy')?.status === 'Unknown',
    );
    expect(condition(waiting, 'Ready')?.status).not.toBe('True');
    await setWidgetReady('w-current', 'True');
    const ready = await waitForKustomization(
      env,
      'current',
      'ready',
      isAppliedAt(artifact.revision),
    );
    expect(condition(ready, 'Healthy')).toMatchObject({ status: 'True', reason: 'Succeeded' });
  });

  it('a true failed expression is a HealthCheckFailed naming the object', async () => {
    await createKustomization(env, 'failed', {
      path: './failed',
      wait: true,
      timeout: '1m',
      healthCheckExprs: widgetChecks,
    });
    await setWidgetReady('w-failed', 'False');
    const failed = await waitForKustomization(
      env,
      'failed',
      'HealthCheckFailed',
      hasFailed('HealthCheckFailed'),
    );
    const message = condition(failed, 'Ready')?.message ?? '';
    expect(message).toContain(`Widget/${env.namespace}/w-failed status: 'Failed'`);
    expect(message).toContain('failed expression is true');
    expect(message).toMatch(/^failed early due to stalled resources/);
    expect(condition(failed, 'Healthy')?.reason).toBe('HealthCheckFailed');
  });

  it('an invalid expression stalls with InvalidCELExpression before anything is applied', async () => {
    await createKustomization(env, 'invalid', {
      path: './invalid',
      wait: true,
      healthCheckExprs: [{ apiVersion, kind: 'Widget', current: 'status.ready ==' }],
    });
    const stalled = await waitForKustomization(
      env,
      'invalid',
      'InvalidCELExpression',
      hasFailed('InvalidCELExpression'),
    );
    const ready = condition(stalled, 'Ready');
    expect(ready?.message).toContain("invalid current expression 'status.ready =='");
    expect(ready?.message).toContain('healthCheckExprs[0]');
    expect(condition(stalled, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InvalidCELExpression',
    });
    expect(stalled.status?.observedGeneration).toBe(stalled.metadata.generation);
    expect(await readWidget('w-invalid')).toBeUndefined();
  });

  it('a kind without expressions keeps kstatus: a Widget with no conditions is Current', async () => {
    // An expression for another kind of the same group; if it reached the Widget, the Widget
    // would never be healthy ('false'), and without status it could not even be evaluated.
    await createKustomization(env, 'unmatched', {
      path: './unmatched',
      wait: true,
      timeout: '1m',
      healthCheckExprs: [{ apiVersion, kind: 'Gadget', current: 'false' }],
    });
    const ready = await waitForKustomization(
      env,
      'unmatched',
      'ready',
      isAppliedAt(artifact.revision),
    );
    expect(condition(ready, 'Healthy')?.status).toBe('True');
    expect(await readWidget('w-unmatched')).toBeDefined();
  });
});
