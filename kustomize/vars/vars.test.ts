import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parse, parseAllDocuments, parseDocument, type YAMLMap } from 'yaml';
import {
  doReplacements,
  expandVarsInNode,
  findVarResource,
  makeVarMapping,
  readVarValue,
  type Var,
  VarError,
  type VarResId,
  type VarValue,
  varReferenceFieldSpecs,
} from './index.ts';

const values = new Map<string, VarValue>([
  ['SVC', { type: 'string', value: 'svc' }],
  ['PORT', { type: 'int', value: 80 }],
  ['RATIO', { type: 'float', value: 1e-5 }],
  ['ON', { type: 'bool', value: true }],
]);
const { mapping } = makeVarMapping(values);

describe('doReplacements', () => {
  it.each([
    {
      name: 'a whole reference keeps the value type',
      input: '$(PORT)',
      want: { type: 'int', value: 80 },
    },
    {
      name: 'a reference inside text is formatted',
      input: 'http://$(SVC):$(PORT)/',
      want: { type: 'string', value: 'http://svc:80/' },
    },
    {
      name: 'double dollar escapes a reference',
      input: '$$(SVC)',
      want: { type: 'string', value: '$(SVC)' },
    },
    {
      name: 'unknown vars stay as written',
      input: '$(NOPE)',
      want: { type: 'string', value: '$(NOPE)' },
    },
    {
      name: 'unknown vars inside text stay',
      input: 'a$(NOPE)b',
      want: { type: 'string', value: 'a$(NOPE)b' },
    },
    {
      name: 'a lone dollar stays',
      input: 'cost $ 5 $',
      want: { type: 'string', value: 'cost $ 5 $' },
    },
    {
      name: 'an unclosed reference stays',
      input: '$(SVC',
      want: { type: 'string', value: '$(SVC' },
    },
    {
      name: 'floats print as Go prints them',
      input: 'r=$(RATIO)',
      want: { type: 'string', value: 'r=1e-05' },
    },
    {
      name: 'booleans print as words',
      input: 'on=$(ON)',
      want: { type: 'string', value: 'on=true' },
    },
  ])('$name', ({ input, want }) => {
    expect(doReplacements(input, mapping)).toEqual(want);
  });
});

describe('expandVarsInNode', () => {
  it.each([
    {
      name: 'string list items are substituted',
      input: '["$(SVC)", "$(PORT)"]',
      want: ['svc', 80],
    },
    { name: 'map values are substituted', input: '{a: "$(SVC)", b: 1}', want: { a: 'svc', b: 1 } },
    { name: 'a string scalar is substituted', input: '"x-$(SVC)"', want: 'x-svc' },
    { name: 'a number scalar is left alone', input: '5', want: 5 },
  ])('$name', ({ input, want }) => {
    const doc = parseDocument(input);
    expandVarsInNode(doc.contents, mapping);
    expect(doc.toJS()).toEqual(want);
  });

  it.each([
    { name: 'a list with a number is refused', input: '["$(SVC)", 1]' },
    { name: 'a map with a number key is refused', input: '{1: a}' },
  ])('$name', ({ input }) => {
    expect(() => expandVarsInNode(parseDocument(input).contents, mapping)).toThrow(VarError);
  });

  it('counts the vars it used', () => {
    const counted = makeVarMapping(values);
    expandVarsInNode(parseDocument('["$(SVC)", "$(SVC)"]').contents, counted.mapping);
    expect([...counted.counts]).toEqual([['SVC', 2]]);
  });
});

describe('findVarResource', () => {
  const scope = {
    effectiveNamespace: (id: VarResId) =>
      id.kind === 'Namespace' ? '_non_namespaceable_' : id.namespace || 'default',
    isClusterScoped: (id: VarResId) => id.kind === 'Namespace',
  };
  const id = (kind: string, name: string, namespace = '', version = 'v1'): VarResId => ({
    group: '',
    version,
    kind,
    name,
    namespace,
  });
  const candidates = [
    [id('Service', 'svc')],
    [id('Service', 'svc', 'prod')],
    [id('Service', 'new'), id('Service', 'old')],
  ];

  it.each([
    {
      name: 'without apiVersion nothing matches',
      input: { kind: 'Service', name: 'new' },
      want: undefined,
    },
    {
      name: 'an earlier name matches',
      input: { apiVersion: 'v1', kind: 'Service', name: 'old' },
      want: 2,
    },
    {
      name: 'a namespace narrows the match',
      input: { apiVersion: 'v1', kind: 'Service', name: 'svc', namespace: 'prod' },
      want: 1,
    },
    {
      name: 'default namespace matches an unset one',
      input: { apiVersion: 'v1', kind: 'Service', name: 'svc', namespace: 'default' },
      want: 0,
    },
  ])('$name', ({ input, want }) => {
    expect(findVarResource({ name: 'V', objref: input }, candidates, scope)).toBe(want);
  });

  it('refuses an ambiguous var', () => {
    const v: Var = { name: 'V', objref: { apiVersion: 'v1', kind: 'Service', name: 'svc' } };
    expect(() => findVarResource(v, candidates, scope)).toThrow(
      /found 2 resId matches for var \{V Service\.v1\.\[noGrp\]/,
    );
  });
});

describe('readVarValue', () => {
  const node = parseDocument(
    'spec:\n  replicas: 2\n  ratio: 0.5\n  on: true\n  name: web\n  ports: [{port: 80}]\n  obj: {a: 1}\n',
  ).contents as YAMLMap<unknown, unknown>;
  it.each([
    { name: 'integers stay integers', input: 'spec.replicas', want: { type: 'int', value: 2 } },
    { name: 'floats stay floats', input: 'spec.ratio', want: { type: 'float', value: 0.5 } },
    { name: 'booleans stay booleans', input: 'spec.on', want: { type: 'bool', value: true } },
    {
      name: 'slice indices are read',
      input: 'spec.ports[0].port',
      want: { type: 'int', value: 80 },
    },
    { name: 'maps are not substitutable', input: 'spec.obj', want: undefined },
  ])('$name', ({ input, want }) => {
    expect(readVarValue({ name: 'V', objref: {}, fieldref: { fieldpath: input } }, node)).toEqual(
      want,
    );
  });

  it('refuses a missing field naming the var', () => {
    expect(() =>
      readVarValue(
        { name: 'V', objref: { kind: 'X' }, fieldref: { fieldPath: 'spec.nope' } },
        node,
      ),
    ).toThrow("field specified in var '{V X.[noVer].[noGrp] {spec.nope}}' not found");
  });
});

describe('vars end to end match kustomize v5.5', () => {
  // testdata/substitution/expected.yaml comes from `kubectl kustomize` (regenerate-expected.sh).
  const dir = new URL('./testdata/substitution/', import.meta.url);
  const read = (file: string) => readFileSync(fileURLToPath(new URL(file, dir)), 'utf8');

  /** A minimal field-spec walk for the test: lists are entered element by element. */
  function walk(node: unknown, path: readonly string[], visit: (field: unknown) => void): void {
    if (isSeq(node)) {
      for (const item of node.items) walk(item, path, visit);
      return;
    }
    const [head, ...rest] = path;
    if (head === undefined) {
      visit(node);
      return;
    }
    if (isMap(node) && node.has(head)) walk(node.get(head, true), rest, visit);
  }

  it('substitutes as kubectl kustomize does', () => {
    const docs = parseAllDocuments(read('resources.yaml'));
    if (!Array.isArray(docs)) throw new Error('resources.yaml did not parse');
    const vars = (parse(read('kustomization.yaml')) as { vars: Var[] }).vars;
    const nodes = docs.map((doc) => doc.contents as YAMLMap<unknown, unknown>);
    const scope = {
      effectiveNamespace: (id: VarResId) => id.namespace || 'default',
      isClusterScoped: () => false,
    };
    const ids = nodes.map((node) => {
      const [group, version] = String(node.get('apiVersion')).includes('/')
        ? String(node.get('apiVersion')).split('/')
        : ['', String(node.get('apiVersion'))];
      const name = String((node.get('metadata') as YAMLMap).get('name'));
      return [
        {
          group: group ?? '',
          version: version ?? '',
          kind: String(node.get('kind')),
          name,
          namespace: '',
        },
      ];
    });
    const resolved = new Map<string, VarValue>();
    for (const v of vars) {
      const index = findVarResource(v, ids, scope);
      const value =
        index === undefined
          ? undefined
          : readVarValue(v, nodes[index] as YAMLMap<unknown, unknown>);
      if (value !== undefined) resolved.set(v.name, value);
    }
    const { mapping } = makeVarMapping(resolved);
    for (const node of nodes) {
      for (const [path, gvk] of varReferenceFieldSpecs) {
        const kind = gvk.split('|')[2];
        if (kind && kind !== node.get('kind')) continue;
        walk(node, path.split('/'), (field) => expandVarsInNode(field, mapping));
      }
    }
    const want = parseAllDocuments(read('expected.yaml'));
    if (!Array.isArray(want)) throw new Error('expected.yaml did not parse');
    expect(docs.map((doc) => doc.toJS())).toEqual(want.map((doc) => doc.toJS()));
  });
});
