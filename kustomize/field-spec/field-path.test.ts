import { describe, expect, it } from 'vitest';
import { isScalar, parseDocument, Scalar, type YAMLMap } from 'yaml';
import { emitGoYaml } from '../emit/go-yaml-emitter.ts';
import { nodeToJson } from '../emit/node-to-json.ts';
import { type CreateKind, splitFieldPath, walkFieldPath } from './field-path.ts';

function run(yaml: string, path: string, create: CreateKind | undefined): string {
  const node = parseDocument(yaml).contents as YAMLMap;
  walkFieldPath(node, splitFieldPath(path), create, (field) => {
    const old = isScalar(field.node) ? String(field.node.value ?? '') : '';
    field.replace(new Scalar(`${old}!`));
  });
  return emitGoYaml(nodeToJson(node, 'test'));
}

describe('walkFieldPath (kustomize field specs)', () => {
  it.each([
    {
      name: 'sets an existing field',
      yaml: 'a:\n  b: x\n',
      path: 'a/b',
      create: undefined,
      want: 'a:\n  b: x!\n',
    },
    {
      name: 'leaves a missing field alone without create',
      yaml: 'a: {}\n',
      path: 'a/b',
      create: undefined,
      want: 'a: {}\n',
    },
    {
      name: 'creates the path with create',
      yaml: 'k: v\n',
      path: 'a/b',
      create: 'scalar',
      want: "a:\n  b: '!'\nk: v\n",
    },
    {
      name: 'enters every element of a list',
      yaml: 'l:\n- m: a\n- m: b\n',
      path: 'l/m',
      create: undefined,
      want: 'l:\n- m: a!\n- m: b!\n',
    },
    {
      name: 'never creates a [] segment',
      yaml: 'k: v\n',
      path: 'l[]/n',
      create: 'scalar',
      want: 'k: v\n',
    },
    { name: 'stops at null', yaml: 'a: null\n', path: 'a/b', create: undefined, want: 'a: null\n' },
    {
      name: 'keeps an escaped slash in a key',
      yaml: 'a:\n  x/y: v\n',
      path: 'a/x\\/y',
      create: undefined,
      want: 'a:\n  x/y: v!\n',
    },
  ] as const)('$name', ({ yaml, path, create, want }) => {
    expect(run(yaml, path, create)).toBe(want);
  });

  it('refuses a scalar in the middle of a path', () => {
    expect(() => run('a: text\n', 'a/b', undefined)).toThrow(/expected sequence or mapping node/);
  });
});
