import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateKustomization } from './validation.ts';

const crdFile = new URL(
  '../manifests/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  import.meta.url,
);
const widget = { apiVersion: 'example.com/v1', kind: 'Widget' };

function withHealthCheckExprs(healthCheckExprs: unknown): unknown {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system' },
    spec: {
      interval: '10m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      healthCheckExprs,
    },
  };
}

describe('Kustomization spec.healthCheckExprs', () => {
  it.each([
    {
      name: "Flux's documented form is accepted",
      input: [{ ...widget, current: 'true', inProgress: 'false', failed: 'false' }],
    },
    {
      name: 'kind may be left out for a whole group',
      input: [{ apiVersion: 'a.io/v1', current: 'true' }],
    },
  ])('$name', ({ input }) => {
    expect(validateKustomization(withHealthCheckExprs(input))).toMatchObject({ ok: true });
  });

  it.each([
    {
      name: 'current is required',
      input: [{ ...widget }],
      want: 'spec.healthCheckExprs[0].current',
    },
    {
      name: 'apiVersion is required',
      input: [{ kind: 'Widget', current: 'true' }],
      want: 'spec.healthCheckExprs[0].apiVersion',
    },
    {
      name: 'an expression must be a string',
      input: [{ ...widget, current: true }],
      want: 'spec.healthCheckExprs[0].current',
    },
  ])('$name', ({ input, want }) => {
    const result = validateKustomization(withHealthCheckExprs(input));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain(want);
  });

  it('the generated CRD requires apiVersion and current on every entry', () => {
    const crd = parse(readFileSync(crdFile, 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
    };
    const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as {
      properties: { spec: { properties: Record<string, { items: { required: string[] } }> } };
    };
    expect(schema.properties.spec.properties.healthCheckExprs?.items.required).toEqual([
      'apiVersion',
      'current',
    ]);
  });
});
