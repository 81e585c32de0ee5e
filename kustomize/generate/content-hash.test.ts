import { describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap } from 'yaml';
import type { JsonValue } from '../emit/json-value.ts';
import { createResource } from '../resource/resource.ts';
import { contentHash, encodeHash, goJsonMarshal } from './content-hash.ts';
import { encodeSecretBase64 } from './generator.ts';

const resource = (yaml: string) => createResource(parseDocument(yaml).contents as YAMLMap, 'test');

// Expected hashes are the suffixes `kubectl kustomize` (v5.5.0) gave for the same data.
describe('contentHash', () => {
  it.each([
    {
      name: 'ConfigMap: kind and data count, not the name',
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anything\ndata:\n  EXTRA: "1"\n  LOG_LEVEL: info\n',
      want: '4m99k87bkt',
    },
    {
      name: 'Secret: type and base64 data',
      yaml: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x-web-secret\ntype: Opaque\ndata:\n  password: cHc=\n',
      want: 'dt4cktg8gk',
    },
  ])('$name', ({ yaml, want }) => {
    expect(contentHash(resource(yaml))).toBe(want);
  });

  it('changes when the data changes', () => {
    const a = contentHash(resource('kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: a\n'));
    const b = contentHash(resource('kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: b\n'));
    expect(a).not.toBe(b);
  });
});

describe('encodeHash and goJsonMarshal', () => {
  it('marshals like Go: sorted keys, HTML characters escaped', () => {
    expect(
      goJsonMarshal(
        new Map<string, JsonValue>([
          ['b', '<&>'],
          ['a', 1n],
        ]),
      ),
    ).toBe('{"a":1,"b":"\\u003c\\u0026\\u003e"}');
  });
  it('maps hex digits to kustomize letters', () => {
    expect(encodeHash('x')).toMatch(/^[0-9a-z]{10}$/);
    expect(encodeHash('x')).not.toMatch(/[013ae]/);
  });
});

describe('encodeSecretBase64', () => {
  it.each([
    { name: 'short values stay on one line', input: 'pw', want: 'cHc=' },
    {
      name: 'values of 70+ characters break every 70 with a final newline',
      input: 'a'.repeat(60),
      want: `${Buffer.from('a'.repeat(60)).toString('base64').slice(0, 70)}\n${Buffer.from('a'.repeat(60)).toString('base64').slice(70)}\n`,
    },
  ])('$name', ({ input, want }) => {
    expect(encodeSecretBase64(new TextEncoder().encode(input))).toBe(want);
  });
});
