import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isScalar, parse, parseDocument, type YAMLMap } from 'yaml';
import { applyJsonPatch, applyStrategicMergePatch, PatchError, parseJsonPatch } from './index.ts';

// Expected outputs come from `kubectl kustomize` (kustomize v5.5.0) via
// testdata/regenerate-expected.sh.
const casesDir = fileURLToPath(new URL('./testdata/json6902', import.meta.url));
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

describe('applyJsonPatch matches kustomize v5.5', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const doc = parseDocument(input.resource);
    const run = () =>
      applyJsonPatch(doc.contents as YAMLMap<unknown, unknown>, parseJsonPatch(input.patch));
    if ('error' in want) {
      expect(run).toThrow(PatchError);
      return;
    }
    expect(run().toJS(doc)).toEqual(parse(want.yaml));
  });
});

describe('applyJsonPatch', () => {
  it('does not modify the resource', () => {
    const resource = mapOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    const before = String(resource);
    applyJsonPatch(resource, [{ op: 'add', path: '/data', value: { k: 'v' } }]);
    expect(String(resource)).toBe(before);
  });

  it.each([
    { name: 'string that reads as a number is double quoted', input: '"5"', want: 'QUOTE_DOUBLE' },
    { name: 'YAML 1.1 boolean word is double quoted', input: 'on', want: 'QUOTE_DOUBLE' },
    { name: 'string needing quotes is quoted', input: '"a: b"', want: 'QUOTE_DOUBLE' },
    { name: 'multi-line string is a literal block', input: '"a\\nb"', want: 'BLOCK_LITERAL' },
    { name: 'ordinary string is plain', input: 'web', want: 'PLAIN' },
  ])('after the JSON round trip, $name', ({ input, want }) => {
    const resource = mapOf(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: ${input}}\n`,
    );
    const patched = applyJsonPatch(resource, [{ op: 'test', path: '/kind', value: 'ConfigMap' }]);
    const value = (patched.get('data') as YAMLMap).get('k', true);
    expect(isScalar(value) && value.type).toBe(want);
  });

  it('a later strategic merge turns values replacing a quoted JSON-patched string into strings', () => {
    const resource = mapOf(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {}\n',
    );
    const patched = applyJsonPatch(resource, [{ op: 'add', path: '/spec/replicas', value: '3' }]);
    const merged = applyStrategicMergePatch(patched, mapOf('spec: {replicas: 5}\n'));
    expect((merged?.get('spec') as YAMLMap | undefined)?.get('replicas')).toBe('5');
  });

  it('sorts keys as Go does', () => {
    const resource = mapOf(
      'kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\ndata: {b: 1, B: 2, a: 3}\n',
    );
    const patched = applyJsonPatch(resource, []);
    const keys = (map: YAMLMap) => map.items.map((pair) => String(pair.key));
    expect(keys(patched)).toEqual(['apiVersion', 'data', 'kind', 'metadata']);
    expect(keys(patched.get('data') as YAMLMap)).toEqual(['B', 'a', 'b']);
  });
});

describe('parseJsonPatch', () => {
  it.each([
    { name: 'YAML mapping is refused', input: 'op: add\n', want: /expected a list of operations/ },
    { name: 'broken JSON is refused', input: '[{"op": "add",', want: /invalid JSON patch/ },
  ])('$name', ({ input, want }) => {
    expect(() => parseJsonPatch(input)).toThrow(want);
  });

  it.each([
    { name: 'YAML 1.1 boolean words are booleans', input: 'off', want: false },
    { name: 'leading-zero numbers are octal', input: '010', want: 8 },
    { name: 'timestamps stay strings', input: '2001-12-14', want: '2001-12-14' },
    { name: 'base-60 numbers stay strings', input: '190:20:30', want: '190:20:30' },
  ])('reads YAML values as sigs.k8s.io/yaml: $name', ({ input, want }) => {
    expect(parseJsonPatch(`- {op: add, path: /a, value: ${input}}`)).toEqual([
      { op: 'add', path: '/a', value: want },
    ]);
  });
});

describe('applyJsonPatch with the engine reading', () => {
  it('uses the given JSON reading, with maps and bigints as Go sees them', () => {
    const resource = mapOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    const goJson = new Map<string, unknown>([
      ['apiVersion', 'v1'],
      ['kind', 'ConfigMap'],
      ['metadata', new Map([['name', 'a']])],
      ['data', new Map([['big', 12345678901234567890n]])],
    ]);
    const patched = applyJsonPatch(resource, [{ op: 'test', path: '/metadata/name', value: 'a' }], {
      nodeToJson: () => goJson,
    });
    expect((patched.get('data') as YAMLMap).get('big')).toBe(12345678901234567000);
  });
});
