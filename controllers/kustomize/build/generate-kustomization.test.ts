import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Kustomization } from '../../../api/index.ts';
import { isStepError } from '../step-error.ts';
import { generateKustomization } from './generate-kustomization.ts';

type Spec = Kustomization['spec'];
const base: Spec = { interval: '1m', prune: true, sourceRef: { kind: 'GitRepository', name: 'r' } };

function files(entries: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));
}

function generate(entries: Record<string, string>, dir: string, spec: Partial<Spec> = {}) {
  const out = generateKustomization(files(entries), dir, { ...base, ...spec });
  return { ...out, kus: parse(out.content) as Record<string, unknown> };
}

const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';

describe('generateKustomization', () => {
  it('lists manifests in walk order and stops at nested kustomizations', () => {
    const out = generate(
      {
        'd/b.yaml': cm,
        'd/a/x.yml': cm,
        'd/a.yaml': cm,
        'd/sub/kustomization.yaml': 'resources: []',
        'd/sub/inner.yaml': cm,
        'd/notes.txt': 'x',
      },
      'd',
    );
    expect(out.created).toBe(true);
    expect(out.path).toBe('d/kustomization.yaml');
    expect(out.kus.resources).toEqual(['./a/x.yml', './a.yaml', './b.yaml', './sub']);
  });

  it('uses a placeholder namespace for a directory without manifests', () => {
    expect(generate({ 'd/readme.md': 'x' }, 'd').kus).toMatchObject({ namespace: '_placeholder' });
  });

  it('refuses a manifest that is not valid YAML, naming it', () => {
    try {
      generate({ 'bad.yaml': 'a: [' }, '');
      expect.unreachable();
    } catch (error) {
      expect(isStepError(error) && error.reason).toBe('BuildFailed');
      expect((error as Error).message).toContain('bad.yaml');
    }
  });

  it('replaces namespace, prefix and suffix and appends patches as Flux does', () => {
    const out = generate(
      {
        'kustomization.yml':
          'namePrefix: old-\nnamespace: old\nresources: [a.yaml]\npatches:\n  - path: p.yaml\n',
      },
      '',
      {
        targetNamespace: 'new',
        namePrefix: 'new-',
        nameSuffix: '-s',
        patches: [{ patch: 'x', target: { kind: 'Deployment' } }],
      },
    );
    expect(out.created).toBe(false);
    expect(out.path).toBe('kustomization.yml');
    expect(out.kus).toMatchObject({
      namespace: 'new',
      namePrefix: 'new-',
      nameSuffix: '-s',
      patches: [{ path: 'p.yaml' }, { patch: 'x', target: { kind: 'Deployment' } }],
    });
  });

  it('leaves a kustomization without resources without build metadata', () => {
    const out = generate({ 'kustomization.yaml': 'configMapGenerator: [{name: a}]\n' }, '');
    expect(out.kus).toEqual({ configMapGenerator: [{ name: 'a' }] });
  });

  it('merges images field by field; a tag replaces a digest', () => {
    const out = generate(
      {
        'kustomization.yaml':
          'resources: [a.yaml]\nimages:\n  - {name: app, newName: reg/app, digest: "sha256:1"}\n',
      },
      '',
      {
        images: [
          { name: 'app', newTag: 'v2' },
          { name: 'other', newName: 'x' },
        ],
      },
    );
    expect(out.kus.images).toEqual([
      { name: 'app', newName: 'reg/app', newTag: 'v2' },
      { name: 'other', newName: 'x' },
    ]);
  });

  it('adds components, leaving out missing ones only when asked', () => {
    const tree = { 'kustomization.yaml': 'resources: [a.yaml]\n', 'c/kustomization.yaml': '' };
    expect(
      generate(tree, '', { components: ['c', 'missing'], ignoreMissingComponents: true }).kus
        .components,
    ).toEqual(['c']);
    expect(generate(tree, '', { components: ['c', 'missing'] }).kus.components).toEqual([
      'c',
      'missing',
    ]);
    expect(() => generate(tree, '', { components: ['../up'] })).toThrow(/must be local/);
  });
});
