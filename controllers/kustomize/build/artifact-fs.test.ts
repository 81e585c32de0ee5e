import { describe, expect, it } from 'vitest';
import { artifactFs } from './artifact-fs.ts';
import type { ArtifactTree } from './fetch-artifact.ts';

const text = (value: string) => new TextEncoder().encode(value);
const read = async (bytes: Promise<Uint8Array>) => new TextDecoder().decode(await bytes);

function tree(): ArtifactTree {
  return {
    revision: 'main@sha1:1',
    files: new Map([
      ['apps/a/secret.yaml', text('ENC[...]')],
      ['apps/a/deploy.yaml', text('kind: Deployment')],
      ['apps/b/kustomization.yaml', text('resources: []')],
    ]),
  };
}

describe('artifactFs', () => {
  it('serves replaced and added files over the shared tree', async () => {
    const shared = tree();
    const fs = artifactFs(
      shared,
      new Map<string, string | Uint8Array>([
        ['apps/a/secret.yaml', text('plain')],
        ['apps/a/kustomization.yaml', 'resources: [deploy.yaml, secret.yaml]'],
      ]),
    );
    expect(await read(fs.readFile('/apps/a/secret.yaml'))).toBe('plain');
    expect(await read(fs.readFile('apps/./a/kustomization.yaml'))).toContain('deploy.yaml');
    expect(await read(fs.readFile('/apps/a/deploy.yaml'))).toBe('kind: Deployment');
    expect(await fs.readDir('/apps/a')).toEqual([
      'deploy.yaml',
      'kustomization.yaml',
      'secret.yaml',
    ]);
    expect(await fs.stat('/apps/a/secret.yaml')).toEqual({ isDirectory: false, size: 5 });
    expect(await fs.realPath('/apps/a/kustomization.yaml')).toBe('/apps/a/kustomization.yaml');
    // The tree itself is untouched for the next build.
    expect(await read(artifactFs(shared, new Map()).readFile('/apps/a/secret.yaml'))).toBe(
      'ENC[...]',
    );
  });

  it('indexes a tree once for every build over it', () => {
    const shared = tree();
    expect(artifactFs(shared, new Map())).toBe(artifactFs(shared, new Map()));
    expect(artifactFs(tree(), new Map())).not.toBe(artifactFs(shared, new Map()));
  });

  it('leaves paths climbing above the root to the base, which refuses them', async () => {
    const fs = artifactFs(tree(), new Map([['apps/a/kustomization.yaml', 'x']]));
    await expect(fs.readFile('/../apps/a/kustomization.yaml')).rejects.toThrow(/outside the root/);
  });
});
