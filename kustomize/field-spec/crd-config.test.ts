import { describe, expect, it } from 'vitest';
import { transformerConfigFromCrds } from './crd-config.ts';

const topLevel = (spec: string) =>
  `{ "properties": { "apiVersion": {}, "kind": {}, "metadata": {}, "spec": { "$ref": "${spec}" } } }`;

const jsonDefs = `{
  "io.acme.v1.Db": { "Schema": ${topLevel('io.acme.v1.DbSpec')} },
  "io.acme.v1.DbSpec": { "Schema": { "properties": {
    "secretRef": {
      "x-kubernetes-object-ref-api-version": "v1",
      "x-kubernetes-object-ref-kind": "Secret",
      "$ref": "io.acme.v1.Ref"
    },
    "cm": {
      "x-kubernetes-object-ref-api-version": "v1",
      "x-kubernetes-object-ref-kind": "ConfigMap",
      "x-kubernetes-object-ref-name-key": "cmName"
    },
    "count": { "x-kubernetes-object-ref-api-version": "v1" }
  } } },
  "io.acme.v1.Ref": { "Schema": { "properties": { "inner": {
    "x-kubernetes-object-ref-api-version": "v1",
    "x-kubernetes-object-ref-kind": "Secret"
  } } } }
}`;

describe('transformerConfigFromCrds (kustomize LoadConfigFromCRDs)', () => {
  it('turns object-ref annotations into name references for the last part of the type name', () => {
    const config = transformerConfigFromCrds(jsonDefs, 'k.yaml: crd.json');
    const secret = config.nameReference.find((r) => r.target.kind === 'Secret');
    expect(secret?.target).toEqual({ version: 'v1', kind: 'Secret' });
    expect(secret?.referrers.map((s) => s.path).sort()).toEqual([
      'spec/secretRef/inner/name',
      'spec/secretRef/name',
    ]);
    expect(secret?.referrers[0]).toMatchObject({ gvk: { kind: 'Db' }, create: false });
    const cm = config.nameReference.find((r) => r.target.kind === 'ConfigMap');
    expect(cm?.referrers.map((s) => s.path)).toEqual(['spec/cm/cmName']);
    // A property with an api version but no kind adds nothing.
    expect(config.nameReference).toHaveLength(2);
  });

  it.each([
    { name: 'annotation', key: 'x-kubernetes-annotation', list: 'commonAnnotations' },
    { name: 'label selector', key: 'x-kubernetes-label-selector', list: 'commonLabels' },
    { name: 'identity', key: 'x-kubernetes-identity', list: 'namePrefix' },
  ] as const)('an $name extension adds a $list spec (YAML, lower-case schema)', ({ key, list }) => {
    const yaml = [
      'io.acme.v1.Db:',
      '  schema:',
      '    properties:',
      '      apiVersion: {}',
      '      kind: {}',
      '      metadata: {}',
      '      field:',
      `        ${key}: ""`,
    ].join('\n');
    const config = transformerConfigFromCrds(yaml, 'crd.yaml');
    expect(config[list]).toEqual([{ path: 'field', gvk: { kind: 'Db' }, create: false }]);
  });

  it('ignores types that are not top-level Kubernetes types', () => {
    const text =
      '{"io.acme.v1.Part": {"Schema": {"properties": {"x": {"x-kubernetes-identity": ""}}}}}';
    expect(transformerConfigFromCrds(text, 'crd.json').namePrefix).toEqual([]);
  });

  it('refuses a file that is not a map, naming the file', () => {
    expect(() => transformerConfigFromCrds('- a\n- b\n', 'app/k.yaml: crd.yaml')).toThrow(
      /app\/k\.yaml: crd\.yaml: unable to parse open API definition/,
    );
    expect(() => transformerConfigFromCrds('{ nope', 'crd.json')).toThrow(/crd\.json/);
  });

  it('refuses a $ref cycle instead of recursing forever', () => {
    const text = `{"a.A": {"Schema": ${topLevel('a.Loop')}}, "a.Loop": {"Schema": {"properties": {"next": {"$ref": "a.Loop"}}}}}`;
    expect(() => transformerConfigFromCrds(text, 'crd.json')).toThrow(/\$ref' cycle/);
  });
});
