import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, type YAMLMap } from 'yaml';
import { applyReplacements, type Replacement, ReplacementError, splitFieldPath } from './index.ts';

// Each case is a kustomization (resources.yaml plus inline replacements); the expected output
// was produced by `kubectl kustomize` (kustomize v5.5.0) with testdata/regenerate-expected.sh.
const casesDir = fileURLToPath(new URL('./testdata', import.meta.url));
const cases = readdirSync(casesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map(({ name }) => {
    const read = (file: string) => readFileSync(join(casesDir, name, file), 'utf8');
    const errorFile = join(casesDir, name, 'expected-error.txt');
    return {
      name,
      input: {
        resources: read('resources.yaml'),
        replacements: (parse(read('kustomization.yaml')) as { replacements: Replacement[] })
          .replacements,
      },
      want: existsSync(errorFile)
        ? { error: read('expected-error.txt') }
        : { yaml: read('expected.yaml') },
    };
  });

interface Printed {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

function byId(resources: Printed[]): Printed[] {
  const id = (r: Printed) => `${r.kind}/${r.metadata?.namespace ?? ''}/${r.metadata?.name}`;
  return [...resources].sort((a, b) => id(a).localeCompare(id(b)));
}

describe('applyReplacements matches kustomize v5.5', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const docs = parseAllDocuments(input.resources);
    if (!Array.isArray(docs)) throw new Error('resources.yaml did not parse');
    const resources = docs.map((doc) => ({ node: doc.contents as YAMLMap<unknown, unknown> }));
    const run = () => applyReplacements(resources, input.replacements);
    if ('error' in want) {
      expect(run).toThrow(ReplacementError);
      return;
    }
    run();
    const expected = parseAllDocuments(want.yaml);
    if (!Array.isArray(expected)) throw new Error('expected.yaml did not parse');
    // kubectl prints in its legacy kind order; compare the same resources in one order.
    expect(byId(docs.map((doc) => doc.toJS()))).toEqual(byId(expected.map((doc) => doc.toJS())));
  });

  it.each(cases.filter((c) => 'error' in c.want && c.want.error.includes('selector')))(
    '$name names the selector as kustomize does',
    ({ input, want }) => {
      const docs = parseAllDocuments(input.resources);
      if (!Array.isArray(docs)) throw new Error('resources.yaml did not parse');
      const resources = docs.map((doc) => ({ node: doc.contents as YAMLMap<unknown, unknown> }));
      const message = /err="(.*)"/.exec('error' in want ? want.error : '')?.[1] ?? '';
      expect(() => applyReplacements(resources, input.replacements)).toThrow(message);
    },
  );
});

describe('splitFieldPath', () => {
  it.each([
    { name: 'plain dots split', input: 'spec.template.spec', want: ['spec', 'template', 'spec'] },
    { name: 'escaped dots stay', input: 'data.a\\.b', want: ['data', 'a.b'] },
    {
      name: 'dots inside brackets stay',
      input: 'a.[name=x.y].b',
      want: ['a', '[name=x.y]', 'b'],
    },
    { name: 'brackets without = lose the brackets', input: 'a.[x.y].b', want: ['a', 'x.y', 'b'] },
    { name: 'a leading dot is dropped', input: '.a.b', want: ['a', 'b'] },
  ])('$name', ({ input, want }) => {
    expect(splitFieldPath(input)).toEqual(want);
  });
});
