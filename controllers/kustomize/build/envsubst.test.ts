// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests are about ${…} expressions in plain strings.
import { describe, expect, it } from 'vitest';
import { envsubst } from './envsubst.ts';

/** Behaviours of Flux's envsubst fork, one row each. */
const rows: { input: string; vars: Record<string, string>; want: string }[] = [
  { input: 'abcdEFGH28ij', vars: {}, want: 'abcdEFGH28ij' },
  { input: '${#v}', vars: { v: 'abcdEFGH28ij' }, want: '12' },
  { input: '${v^}', vars: { v: 'abcdEFGH28ij' }, want: 'AbcdEFGH28ij' },
  { input: '${v,}', vars: { v: 'ABCD' }, want: 'aBCD' },
  {
    input: '${p:11}',
    vars: { p: '/home/bozo/ideas/thoughts.for.today' },
    want: 'ideas/thoughts.for.today',
  },
  { input: '${p:11:5}', vars: { p: '/home/bozo/ideas/thoughts.for.today' }, want: 'ideas' },
  { input: '${var=xyz}', vars: { var: 'abc' }, want: 'abc' },
  { input: 'something ${var=${d}}', vars: { d: 'foo' }, want: 'something foo' },
  { input: 'foo: ${var=prefix${d}-suffix}', vars: { d: 'foo1' }, want: 'foo: prefixfoo1-suffix' },
  { input: '${s/%abc/XYZ}', vars: { s: 'abcABC123ABCabc' }, want: 'abcABC123ABCXYZ' },
  { input: '${s/#abc/XYZ}', vars: { s: 'abcABC123ABCabc' }, want: 'XYZABC123ABCabc' },
  { input: '${s//abc/xyz}', vars: { s: 'abcABC123ABCabc' }, want: 'xyzABC123ABCxyz' },
  { input: '${s/abc/xyz}', vars: { s: 'abcABC123ABCabc' }, want: 'xyzABC123ABCabc' },
  { input: '${f#*.}', vars: { f: 'bash.string.txt' }, want: 'string.txt' },
  { input: '${f#*/}', vars: { f: '/path/to/file' }, want: 'path/to/file' },
  { input: '${f##*/}', vars: { f: 'path/to/file' }, want: 'file' },
  { input: '${f%.*}', vars: { f: 'bash.string.txt' }, want: 'bash.string' },
  { input: '${f%%.*}', vars: { f: 'bash.string.txt' }, want: 'bash' },
  { input: '${var=${v^^}}', vars: { v: 'abc' }, want: 'ABC' },
  {
    input: 'some text ${v}$${var$${v}$v${v}',
    vars: { v: 'X' },
    want: 'some text X${var${v}$vX',
  },
  { input: 'something $${var=${d}}', vars: { d: 'foo' }, want: 'something ${var=foo}' },
  { input: '${s/\\//-}', vars: { s: 'foo/bar' }, want: 'foo-bar' },
  { input: '${s//\\//-}', vars: { s: 'foo/bar/baz' }, want: 'foo-bar-baz' },
  { input: '\\\\something ${var=${d}}', vars: { d: 'foo' }, want: '\\\\something foo' },
  { input: '${s/./}', vars: { s: 'foo.bar' }, want: 'foobar' },
];

const strictLookup = (vars: Record<string, string>) => (name: string) => {
  const value = vars[name];
  return { value: value ?? '', exists: value !== undefined };
};

describe('envsubst as Flux expands', () => {
  it.each(rows)('$input → $want', ({ input, vars, want }) => {
    expect(envsubst(input, strictLookup(vars))).toBe(want);
  });

  it.each([
    '${#missing}',
    '${missing^^}',
    '${missing,}',
    '${missing:0:10}',
    '${missing/p/r}',
    '${missing//p/r}',
    '${missing#p}',
    '${missing%%p}',
  ])('strict mode refuses %s', (input) => {
    expect(() => envsubst(input, strictLookup({}))).toThrow(/variable not set \(strict mode\)/);
  });

  it.each([
    { input: '${missing:-fallback}', want: 'fallback' },
    { input: '${missing:=assigned}', want: 'assigned' },
    { input: '${missing=assigned}', want: 'assigned' },
  ])('strict mode accepts $input', ({ input, want }) => {
    expect(envsubst(input, strictLookup({}))).toBe(want);
  });
});
