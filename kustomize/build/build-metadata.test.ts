import { describe, expect, it } from 'vitest';
import { KustomizeError } from '../errors.ts';
import { createMemoryFs } from '../fs/memory-fs.ts';
import { build } from './build.ts';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';

describe('buildMetadata and openapi', () => {
  it('writes the managed-by label with the version given', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml': 'resources:\n- cm.yaml\nbuildMetadata: [managedByLabel]\n',
      'cm.yaml': configMap,
    });
    const result = await build(fs, '/', { kustomizeVersion: 'v5.5.0' });
    expect(result.yaml).toContain('app.kubernetes.io/managed-by: kustomize-v5.5.0\n');
  });

  it('ignores an unknown buildMetadata option, as kustomize does', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml': 'resources:\n- cm.yaml\nbuildMetadata: [originAnnotation]\n',
      'cm.yaml': configMap,
    });
    expect((await build(fs, '/')).yaml).toBe(configMap);
  });

  it.each([
    {
      name: 'openapi.version is refused as not supported',
      input: 'resources:\n- cm.yaml\nopenapi:\n  version: v1.21.2\n',
      want: /kustomization\.yaml: field 'openapi\.version' is not supported/,
    },
    {
      name: 'a schema without definitions names the file',
      input: 'resources:\n- cm.yaml\nopenapi:\n  path: schema.json\n',
      want: /openapi\.path schema\.json: not an OpenAPI v2 document/,
    },
    {
      name: 'a missing schema file names it',
      input: 'resources:\n- cm.yaml\nopenapi:\n  path: missing.json\n',
      want: /file 'missing\.json' not found/,
    },
  ])('$name', async ({ input, want }) => {
    const fs = createMemoryFs({
      'kustomization.yaml': input,
      'cm.yaml': configMap,
      'schema.json': '{"swagger": "2.0"}',
    });
    const error = await build(fs, '/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KustomizeError);
    expect((error as Error).message).toMatch(want);
  });

  it('refuses origin annotations for a remote base', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml':
        'resources:\n- https://github.com/example/repo//base?ref=v1\nbuildMetadata: [originAnnotations]\n',
    });
    const remote = createMemoryFs({
      'base/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'base/cm.yaml': configMap,
    });
    const error = await build(fs, '/', {
      fetchRemote: async () => ({ fs: remote, dir: '/base' }),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/not supported for remote bases/);
  });
});
