import { describe, expect, it } from 'vitest';
import { createSourceIgnore, parsePatterns, scopePattern } from './source-ignore.ts';

describe('createSourceIgnore', () => {
  const cases: Array<{
    name: string;
    path: string;
    isDir?: boolean;
    spec?: string;
    files?: Record<string, string>;
    want: boolean;
  }> = [
    { name: '.git/ is excluded by default', path: '.git', isDir: true, want: true },
    { name: '.gitignore is excluded by default', path: 'apps/.gitignore', want: true },
    { name: 'images are excluded by default', path: 'docs/logo.png', want: true },
    {
      name: 'nested .sops.yaml is excluded by default',
      path: 'clusters/prod/.sops.yaml',
      want: true,
    },
    { name: '.github/ is excluded by default', path: '.github', isDir: true, want: true },
    { name: 'ordinary manifests are kept', path: 'apps/deploy.yaml', want: false },
    {
      name: 'spec.ignore excludes a directory',
      path: 'tests',
      isDir: true,
      spec: 'tests/\n',
      want: true,
    },
    {
      name: 'spec.ignore can re-include a default exclude',
      path: 'logo.png',
      spec: '!logo.png',
      want: false,
    },
    {
      name: 'spec.ignore wins over a .sourceignore negation',
      path: 'a/x.yaml',
      spec: '*.yaml',
      files: { a: '!x.yaml' },
      want: true,
    },
    {
      name: 'root .sourceignore applies everywhere',
      path: 'deep/dir/secret.txt',
      files: { '': '*.txt' },
      want: true,
    },
    {
      name: 'nested .sourceignore is scoped to its directory',
      path: 'b/keep.txt',
      files: { a: '*.txt' },
      want: false,
    },
    {
      name: 'nested .sourceignore matches below its directory',
      path: 'a/drop.txt',
      files: { a: '*.txt' },
      want: true,
    },
    {
      name: 'anchored nested pattern is relative to its directory',
      path: 'a/only/file',
      files: { a: '/only/file' },
      want: true,
    },
    {
      name: 'comments and blank lines are ignored',
      path: '#notes',
      files: { '': '# comment\n\n' },
      want: false,
    },
    {
      name: 'directory-only pattern does not match a file',
      path: 'build',
      spec: 'build/',
      want: false,
    },
  ];
  it.each(cases)('$name', ({ path, isDir, spec, files, want }) => {
    const matcher = createSourceIgnore({
      ...(spec !== undefined ? { specIgnore: spec } : {}),
      ignoreFiles: new Map(Object.entries(files ?? {})),
    });
    expect(matcher.isIgnored(path, isDir ?? false)).toBe(want);
  });

  it('parsePatterns drops comments and blank lines', () => {
    expect(parsePatterns('# c\n\n*.md\r\n  \n!keep.md\n')).toEqual(['*.md', '!keep.md']);
  });
});

describe('scopePattern', () => {
  it.each([
    { base: '', pattern: '*.txt', want: '*.txt' },
    { base: 'a', pattern: '*.txt', want: 'a/**/*.txt' },
    { base: 'a', pattern: '/only/file', want: 'a/only/file' },
    { base: 'a/b', pattern: 'dir/', want: 'a/b/**/dir/' },
    { base: 'a', pattern: '!keep.txt', want: '!a/**/keep.txt' },
  ])('$base + $pattern → $want', ({ base, pattern, want }) => {
    expect(scopePattern(base, pattern)).toBe(want);
  });
});
