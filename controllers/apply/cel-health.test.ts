import { describe, expect, it } from 'vitest';
import { CelHealthError, compileHealthChecks, type HealthCheckExpressions } from './cel-health.ts';
import type { KubeObject } from './kube-object.ts';

const readyTrue = "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')";
const readyFalse = "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')";

const widgetCheck: HealthCheckExpressions = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  inProgress: "has(status.phase) && status.phase == 'Provisioning'",
  failed: readyFalse,
  current: readyTrue,
};

function widget(status: unknown, generation = 1, apiVersion = 'example.com/v1'): KubeObject {
  return {
    apiVersion,
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'ns', generation },
    ...(status === undefined ? {} : { status }),
  };
}

const ready = (status: string) => [{ type: 'Ready', status }];

describe('compileHealthChecks', () => {
  it('returns nothing for no checks', async () => {
    expect(await compileHealthChecks([])).toBeUndefined();
  });

  it.each([
    {
      name: 'a true current expression is Current',
      input: widget({ observedGeneration: 1, conditions: ready('True') }),
      want: { status: 'Current', message: 'current expression is true' },
    },
    {
      name: 'a true failed expression is Failed',
      input: widget({ conditions: ready('False') }),
      want: { status: 'Failed', message: 'failed expression is true' },
    },
    {
      name: 'inProgress is evaluated before failed',
      input: widget({ phase: 'Provisioning', conditions: ready('False') }),
      want: { status: 'InProgress', message: 'inProgress expression is true' },
    },
    {
      name: 'no true expression is InProgress',
      input: widget({ conditions: ready('Unknown') }),
      want: { status: 'InProgress', message: 'no health check expression is true yet' },
    },
    {
      name: 'a lagging observedGeneration is InProgress before any expression',
      input: widget({ observedGeneration: 1, conditions: ready('True') }, 2),
      want: {
        status: 'InProgress',
        message: 'Widget generation is 2, but latest observed generation is 1',
      },
    },
    {
      name: 'a string observedGeneration is left to the expressions',
      input: widget({ observedGeneration: '1', conditions: ready('True') }, 2),
      want: { status: 'Current', message: 'current expression is true' },
    },
    {
      name: 'the group matches whatever the version',
      input: widget({ conditions: ready('True') }, 1, 'example.com/v2beta1'),
      want: { status: 'Current', message: 'current expression is true' },
    },
    {
      name: 'a missing field is Unknown, naming the expression',
      input: widget({}),
      want: {
        status: 'Unknown',
        message: `failed expression '${readyFalse}' could not be evaluated: No such key: conditions`,
      },
    },
    {
      name: 'an object without status is Unknown (no such variable)',
      input: widget(undefined),
      want: {
        status: 'Unknown',
        message: `inProgress expression '${widgetCheck.inProgress}' could not be evaluated: Unknown variable: status`,
      },
    },
  ])('$name', async ({ input, want }) => {
    const reader = await compileHealthChecks([widgetCheck]);
    expect(reader?.statusOf(input)).toEqual(want);
  });

  it.each([
    {
      name: 'integers compare as ints and fractions as doubles',
      current: 'status.replicas == 3 && status.ratio > 0.4 && metadata.generation == 1',
      status: { replicas: 3, ratio: 0.5 },
      want: 'Current',
    },
    {
      name: 'optional field access falls back to a default',
      current: "status.?phase.orValue('Unknown') == 'Unknown'",
      status: {},
      want: 'Current',
    },
    {
      name: 'exists finds one matching element',
      current: "status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')",
      status: { conditions: [...ready('False'), { type: 'Ready', status: 'True' }] },
      want: 'Current',
    },
    {
      name: 'a non-bool result is Unknown',
      current: 'status.replicas',
      status: { replicas: 1 },
      want: 'Unknown',
    },
  ])('$name', async ({ current, status, want }) => {
    const reader = await compileHealthChecks([{ apiVersion: 'example.com/v1', current }]);
    expect(reader?.statusOf(widget(status))?.status).toBe(want);
  });

  it('a kind-specific check wins over a group-wide one; other groups are not matched', async () => {
    const reader = await compileHealthChecks([
      { apiVersion: 'example.com/v1', current: 'false' },
      { apiVersion: 'example.com/v1', kind: 'Widget', current: 'true' },
    ]);
    expect(reader?.statusOf(widget({}))?.status).toBe('Current');
    expect(reader?.statusOf({ ...widget({}), kind: 'Gadget' })?.status).toBe('InProgress');
    expect(reader?.statusOf(widget({}, 1, 'other.io/v1'))).toBeUndefined();
  });

  it('Jobs keep the built-in status, as Flux reads them before any expression', async () => {
    const reader = await compileHealthChecks([{ apiVersion: 'batch/v1', current: 'true' }]);
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' } };
    expect(reader?.statusOf(job)).toBeUndefined();
    expect(reader?.statusOf({ ...job, kind: 'CronJob' })?.status).toBe('Current');
  });

  it.each([
    {
      name: 'a parse error names the entry, the expression and the error',
      input: [{ apiVersion: 'example.com/v1', kind: 'Widget', current: 'status.ready ==' }],
      want: "healthCheckExprs[0]: invalid current expression 'status.ready ==': Unexpected token: EOF",
    },
    {
      name: 'a broken failed expression is refused even with a valid current',
      input: [
        { apiVersion: 'a.io/v1', kind: 'A', current: 'true' },
        { ...widgetCheck, failed: '(' },
      ],
      want: "healthCheckExprs[1]: invalid failed expression '(': ",
    },
    {
      name: 'an empty current expression is refused',
      input: [{ apiVersion: 'example.com/v1', kind: 'Widget', current: '' }],
      want: 'healthCheckExprs[0]: the current expression is required',
    },
    {
      name: 'two checks for one kind are refused',
      input: [widgetCheck, { ...widgetCheck, apiVersion: 'example.com/v2' }],
      want: 'healthCheckExprs[1]: duplicate health check for Widget.example.com',
    },
  ])('$name', async ({ input, want }) => {
    const attempt = compileHealthChecks(input);
    await expect(attempt).rejects.toBeInstanceOf(CelHealthError);
    await expect(attempt).rejects.toThrow(want);
  });
});
