import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, type YAMLMap } from 'yaml';
import { applyStrategicMergePatch, PatchError } from './index.ts';

// Each case's expected output was produced by `kubectl kustomize` (kustomize v5.5.0) with
// testdata/regenerate-expected.sh; kustomize prints resources through JSON, so comparing
// the JSON form is exact up to the printer.
const casesDir = fileURLToPath(new URL('./testdata/smp', import.meta.url));
const cases = readdirSync(casesDir).map((name) => {
  const read = (file: string) => readFileSync(join(casesDir, name, file), 'utf8');
  const errorFile = join(casesDir, name, 'expected-error.txt');
  return {
    name,
    input: { resource: read('resource.yaml'), patch: read('patch.yaml') },
    want: existsSync(errorFile)
      ? { error: read('expected-error.txt') }
      : { yaml: read('expected.yaml') },
  };
});

function mapOf(text: string): YAMLMap<unknown, unknown> {
  return parseDocument(text).contents as YAMLMap<unknown, unknown>;
}

describe('applyStrategicMergePatch matches kustomize v5.5', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const resourceDoc = parseDocument(input.resource);
    const run = () =>
      applyStrategicMergePatch(
        resourceDoc.contents as YAMLMap<unknown, unknown>,
        mapOf(input.patch),
      );
    if ('error' in want) {
      expect(run).toThrow(PatchError);
      return;
    }
    const result = run();
    if (want.yaml.trim() === '') {
      expect(result).toBeUndefined();
      return;
    }
    expect(result?.toJS(resourceDoc)).toEqual(parse(want.yaml));
  });
});

describe('applyStrategicMergePatch', () => {
  it('leaves the patch untouched', () => {
    const patch = mapOf('metadata:\n  $patch: replace\n  name: x\n');
    const before = String(patch);
    applyStrategicMergePatch(
      mapOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n'),
      patch,
    );
    expect(String(patch)).toBe(before);
  });

  it.each([
    {
      name: 'append direction puts new elements after the existing ones',
      input: 'append' as const,
      want: ['a', 'b', 'c'],
    },
    {
      name: 'prepend direction puts the patch elements first',
      input: 'prepend' as const,
      want: ['c', 'a', 'b'],
    },
  ])('$name', ({ input, want }) => {
    const resource = mapOf(
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}, {name: b}]\n',
    );
    const patch = mapOf('spec:\n  containers: [{name: c}]\n');
    const result = applyStrategicMergePatch(resource, patch, { listIncreaseDirection: input });
    const names = (
      parseDocument(String(result)).toJS() as { spec: { containers: { name: string }[] } }
    ).spec.containers.map((c) => c.name);
    expect(names).toEqual(want);
  });

  it('names the field whose kinds conflict', () => {
    const resource = mapOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n');
    expect(() => applyStrategicMergePatch(resource, mapOf('data: [1]\n'))).toThrow(
      /^data: wrong node kind: expected map but got seq$/,
    );
  });
});
