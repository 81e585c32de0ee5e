import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, type YAMLMap } from 'yaml';
import { compileSelector, matchesSelector, type TargetSelector } from './index.ts';

// In testdata/targets, patch i of kustomization.yaml adds the label matched-i to every resource
// its target selects; expected.yaml is `kubectl kustomize` (kustomize v5.5.0) output.
const dir = new URL('./testdata/targets/', import.meta.url);
const read = (file: string) => readFileSync(fileURLToPath(new URL(file, dir)), 'utf8');

interface Printed {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

const clusterScoped = new Set(['ClusterRole']);
const docs = parseAllDocuments(read('resources.yaml'));
const resources = (Array.isArray(docs) ? docs : []).map((doc) => {
  const node = doc.contents as YAMLMap<unknown, unknown>;
  const printed = doc.toJS() as Printed;
  const [group, version] = printed.apiVersion.includes('/')
    ? printed.apiVersion.split('/')
    : ['', printed.apiVersion];
  const namespace = clusterScoped.has(printed.kind)
    ? '_non_namespaceable_'
    : printed.metadata.namespace || 'default';
  return {
    id: `${printed.kind}/${printed.metadata.name}`,
    candidate: {
      group: group ?? '',
      version: version ?? '',
      kind: printed.kind,
      names: [printed.metadata.name],
      namespaces: [namespace],
      node,
    },
  };
});
const targets = (
  parse(read('kustomization.yaml')) as { patches: { target: TargetSelector }[] }
).patches.map((p) => p.target);
const expected = parseAllDocuments(read('expected.yaml'));
const printed = (Array.isArray(expected) ? expected : []).map((doc) => doc.toJS() as Printed);

describe('target selectors select what kubectl kustomize selects', () => {
  it.each(targets.map((target, i) => ({ name: JSON.stringify(target), input: { target, i } })))(
    '$name',
    ({ input }) => {
      const want = printed
        .filter((r) => r.metadata.labels?.[`matched-${input.i}`] === 'yes')
        .map((r) => `${r.kind}/${r.metadata.name}`)
        .sort();
      const compiled = compileSelector(input.target);
      const got = resources
        .filter((r) => matchesSelector(compiled, r.candidate))
        .map((r) => r.id)
        .sort();
      expect(got).toEqual(want);
    },
  );
});
