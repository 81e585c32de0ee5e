import { describe, expect, it } from 'vitest';
import { parseKustomization } from './kustomization.ts';

describe('parseKustomization', () => {
  it('keeps the last of duplicate keys, as kustomize does', () => {
    expect(
      parseKustomization('namePrefix: a-\nresources: [x.yaml]\nnamePrefix: b-\n', 'k.yaml')
        .namePrefix,
    ).toBe('b-');
  });
  it('matches field names case-insensitively, as Go JSON does', () => {
    expect(parseKustomization('NAMEPREFIX: a-\nresources: [x.yaml]\n', 'k.yaml').namePrefix).toBe(
      'a-',
    );
  });
  it('folds bases into resources and imageTags into images', () => {
    const k = parseKustomization(
      'resources: [a]\nbases: [b]\nimageTags:\n- name: nginx\n  newTag: t\n',
      'k.yaml',
    );
    expect(k.resources).toEqual(['a', 'b']);
    expect(k.images).toEqual([
      { name: 'nginx', newName: '', newTag: 't', digest: '', tagSuffix: '' },
    ]);
  });
  it.each([
    {
      name: 'an image name kustomize reads as a boolean (`n`)',
      text: 'images:\n- name: n\n',
      want: /'name' must be a string/,
    },
    {
      name: 'an unknown field',
      text: 'resources: []\nnamePrefx: a\n',
      want: /unknown field "namePrefx"/,
    },
    {
      name: 'a YAML 1.1 boolean where a string is needed',
      text: 'namespace: yes\n',
      want: /'namespace' must be a string/,
    },
    {
      name: 'a number label value',
      text: 'commonLabels:\n  v: 1\n',
      want: /commonLabels.v' must be a string/,
    },
    { name: 'an empty file', text: '# nothing\n', want: /kustomization.yaml is empty/ },
    {
      name: 'a wrong kind',
      text: 'kind: Other\nresources: []\n',
      want: /kind should be Kustomization or Component/,
    },
  ])('refuses $name, naming the file', ({ text, want }) => {
    expect(() => parseKustomization(text, 'apps/kustomization.yaml')).toThrow(want);
    expect(() => parseKustomization(text, 'apps/kustomization.yaml')).toThrow(
      /^apps\/kustomization.yaml: /,
    );
  });
});
