import { describe, expect, it } from 'vitest';
import { parseAllDocuments, type YAMLMap } from 'yaml';
import { createResource, currentId, getGvk, getName, getNamespace } from './resource.ts';

const resourceOf = (text: string) =>
  createResource(parseAllDocuments(text, { uniqueKeys: false })[0]?.contents as YAMLMap, 'x');

describe('currentId', () => {
  it.each([
    {
      name: 'a namespaced resource',
      input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  namespace: ns\n',
    },
    {
      name: 'a core resource without namespace',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    },
    {
      name: 'duplicate keys: the first wins',
      input: 'kind: A\nkind: B\nmetadata:\n  name: x\n  name: y\nmetadata:\n  name: z\n',
    },
    {
      name: 'a null first key hides a later one',
      input: 'kind:\nkind: B\nmetadata:\n  namespace:\n  namespace: n\n',
    },
    { name: 'metadata that is not a map', input: 'kind: A\nmetadata: [a]\n' },
    {
      name: 'non-string scalars',
      input: 'apiVersion: 1\nkind: true\nmetadata:\n  name: 0x10\n  namespace: null\n',
    },
    {
      name: 'fields in another order',
      input: 'metadata:\n  namespace: n\n  name: a\nkind: K\napiVersion: g/v\n',
    },
  ])('reads $name as the single-field getters do', ({ input }) => {
    const resource = resourceOf(input);
    expect(currentId(resource)).toStrictEqual({
      ...getGvk(resource),
      name: getName(resource),
      namespace: getNamespace(resource),
    });
  });
});
