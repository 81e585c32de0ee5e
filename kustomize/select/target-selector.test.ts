import { describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap } from 'yaml';
import { compileSelector, matchesSelector, type SelectCandidate, SelectorError } from './index.ts';

const node = parseDocument(
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pre-web-suf\n' +
    '  labels: {app: web, version: 2}\n  annotations: {team: a}\n',
).contents as YAMLMap<unknown, unknown>;

const candidate: SelectCandidate = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  names: ['web', 'pre-web-suf'],
  namespaces: ['default', 'prod'],
  node,
};

describe('matchesSelector', () => {
  it.each([
    { name: 'empty selector selects everything', input: {}, want: true },
    { name: 'kind matches exactly', input: { kind: 'Deployment' }, want: true },
    { name: 'kind is anchored at both ends', input: { kind: 'Deploy' }, want: false },
    {
      name: 'kind regex alternatives match',
      input: { kind: 'StatefulSet|Deployment' },
      want: true,
    },
    { name: 'group regex matches', input: { group: 'app.*' }, want: true },
    { name: 'version mismatch fails', input: { version: 'v2' }, want: false },
    { name: 'original name matches', input: { name: 'web' }, want: true },
    { name: 'current name matches', input: { name: 'pre-web-suf' }, want: true },
    { name: 'name regex anchored', input: { name: 'we' }, want: false },
    { name: 'name regex with wildcard', input: { name: '.*web.*' }, want: true },
    { name: 'original effective namespace matches', input: { namespace: 'default' }, want: true },
    { name: 'current namespace matches', input: { namespace: 'pro.' }, want: true },
    { name: 'other namespace fails', input: { namespace: 'dev' }, want: false },
    {
      name: 'label selector reads metadata labels',
      input: { labelSelector: 'app=web' },
      want: true,
    },
    {
      name: 'numeric label value is compared as text',
      input: { labelSelector: 'version=2' },
      want: true,
    },
    { name: 'label selector can exclude', input: { labelSelector: '!app' }, want: false },
    {
      name: 'annotation selector reads annotations',
      input: { annotationSelector: 'team in (a,b)' },
      want: true,
    },
    { name: 'annotation selector mismatch', input: { annotationSelector: 'team=b' }, want: false },
    { name: 'case-insensitive flag is honoured', input: { kind: '(?i)deployment' }, want: true },
  ])('$name', ({ input, want }) => {
    expect(matchesSelector(compileSelector(input), candidate)).toBe(want);
  });

  it('refuses a bad pattern naming the field', () => {
    expect(() => compileSelector({ name: 'a(' })).toThrow(SelectorError);
    expect(() => compileSelector({ name: 'a(' })).toThrow(/invalid name pattern "a\("/);
  });
});
