import { describe, expect, it } from 'vitest';
import { findReachableFiles } from './reachable-files.ts';

function files(entries: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));
}

describe('findReachableFiles', () => {
  it('finds every file the build reads, with the format it is read in', () => {
    const tree = files({
      'app/kustomization.yaml': [
        'resources: [a.yaml, ../base, https://example.com/remote.yaml, ../../outside.yaml]',
        'components: [../comp]',
        'patches: [{path: p.yaml}, {patch: inline}]',
        'patchesStrategicMerge: [sm.yaml, "apiVersion: v1\\nkind: X\\n"]',
        'patchesJson6902: [{path: j.json}]',
        'secretGenerator:',
        '  - name: s',
        '    files: [tls.crt, cfg=config.yaml, .dockerconfigjson=docker.txt]',
        '    envs: [vars.env, other.txt]',
        'configMapGenerator:',
        '  - name: c',
        '    env: legacy.env',
      ].join('\n'),
      'app/a.yaml': '',
      'app/p.yaml': '',
      'app/sm.yaml': '',
      'app/j.json': '',
      'app/tls.crt': '',
      'app/config.yaml': '',
      'app/docker.txt': '',
      'app/vars.env': '',
      'app/other.txt': '',
      'app/legacy.env': '',
      'app/unreferenced.yaml': '',
      'base/kustomization.yml': 'resources: [b.yaml]\n',
      'base/b.yaml': '',
      'comp/Kustomization': 'kind: Component\nresources: [c.json]\n',
      'comp/c.json': '',
    });
    const found = findReachableFiles(tree, 'app').map((f) => `${f.path} ${f.role} ${f.format}`);
    expect(found.sort()).toEqual(
      [
        'app/a.yaml resource yaml',
        // The key, not the file, names the format, as in Flux: `cfg` reads as binary.
        'app/config.yaml generator-file binary',
        'app/docker.txt generator-file json',
        'app/j.json patch json',
        'app/legacy.env generator-env dotenv',
        'app/other.txt generator-env dotenv',
        'app/p.yaml patch yaml',
        'app/sm.yaml patch yaml',
        'app/tls.crt generator-file binary',
        'app/vars.env generator-env dotenv',
        'base/b.yaml resource yaml',
        'comp/c.json resource json',
      ].sort(),
    );
  });

  it('reads the generated kustomization instead of the tree', () => {
    const tree = files({ 'd/x.yaml': '' });
    const found = findReachableFiles(
      tree,
      'd',
      new Map([['d/kustomization.yaml', 'resources: [./x.yaml]']]),
    );
    expect(found.map((f) => f.path)).toEqual(['d/x.yaml']);
  });

  it('survives cycles and broken kustomizations', () => {
    const tree = files({
      'a/kustomization.yaml': 'resources: [../b]',
      'b/kustomization.yaml': 'resources: [../a, y.yaml]',
      'b/y.yaml': '',
      'c/kustomization.yaml': 'resources: [',
    });
    expect(findReachableFiles(tree, 'a').map((f) => f.path)).toEqual(['b/y.yaml']);
    expect(findReachableFiles(tree, 'c')).toEqual([]);
  });
});
