import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig, matchCreationRule } from './sops-config.ts';
import { parseDecryptionOrder, parseExtractPath } from './sops-crypt-commands.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kustodian-sops-config-'));
  await mkdir(join(dir, 'apps', 'prod'), { recursive: true });
  await writeFile(
    join(dir, '.sops.yaml'),
    [
      'stores:',
      '  yaml: {indent: 2}',
      'creation_rules:',
      '  - path_regex: prod/.*\\.yaml$',
      '    shamir_threshold: 2',
      '    key_groups:',
      '      - age: [age1one]',
      '      - pgp: [FP2]',
      '        merge:',
      '          - age: [age1three]',
      '  - path_regex: \\.yaml$',
      "    age: 'age1one, age1two,,'",
      '    encrypted_regex: ^(data|stringData)$',
      '  - path_regex: \\.json$',
      '    pgp: [FP1]',
      '    mac_only_encrypted: true',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('.sops.yaml', () => {
  it('is found from a subdirectory upwards', () => {
    expect(findConfigFile(join(dir, 'apps', 'prod'))).toBe(join(dir, '.sops.yaml'));
  });

  it.each([
    {
      name: 'the first matching rule wins, with key groups and merge',
      file: 'apps/prod/db.yaml',
      want: {
        keyGroups: [
          [{ type: 'age', id: 'age1one' }],
          [
            { type: 'pgp', id: 'FP2' },
            { type: 'age', id: 'age1three' },
          ],
        ],
        shamirThreshold: 2,
        rules: {},
      },
    },
    {
      name: 'comma-separated keys are split, trimmed and empty items dropped',
      file: 'apps/web.yaml',
      want: {
        keyGroups: [
          [
            { type: 'age', id: 'age1one' },
            { type: 'age', id: 'age1two' },
          ],
        ],
        shamirThreshold: 0,
        rules: { encrypted_regex: '^(data|stringData)$' },
      },
    },
    {
      name: 'mac_only_encrypted is carried',
      file: 'x.json',
      want: {
        keyGroups: [[{ type: 'pgp', id: 'FP1' }]],
        shamirThreshold: 0,
        rules: { mac_only_encrypted: true },
      },
    },
  ])('$name', ({ file, want }) => {
    const config = loadConfig(join(dir, '.sops.yaml'));
    expect(matchCreationRule(config, join(dir, file))).toEqual(want);
    expect(config.storeOptions).toEqual({ yamlIndent: 2 });
  });

  it('a file no rule matches is an error', () => {
    expect(() =>
      matchCreationRule(loadConfig(join(dir, '.sops.yaml')), join(dir, 'notes.txt')),
    ).toThrow('no matching creation rules found');
  });
});

describe('--extract paths', () => {
  it.each([
    { input: '["a"]["b"]', want: ['a', 'b'] },
    { input: '["data"][0]', want: ['data', 0] },
    { input: '["with \\"quote\\""]', want: ['with "quote"'] },
  ])('$input parses', ({ input, want }) => {
    expect(parseExtractPath(input)).toEqual(want);
  });
  it.each([{ input: 'a.b' }, { input: '["a"' }, { input: '' }])(
    '$input is refused',
    ({ input }) => {
      expect(() => parseExtractPath(input)).toThrow(/invalid --extract path/);
    },
  );
});

describe('--decryption-order', () => {
  it.each([
    { input: 'pgp,age', want: ['pgp', 'age'] },
    { input: ' age , kms ', want: ['age', 'kms'] },
    { input: undefined, want: undefined },
  ])('$input parses', ({ input, want }) => {
    expect(parseDecryptionOrder(input)).toEqual(want);
  });
  it.each([
    { input: 'age,age', error: /appears twice/ },
    { input: 'age,rot13', error: /unknown key type "rot13"/ },
  ])('$input is refused', ({ input, error }) => {
    expect(() => parseDecryptionOrder(input)).toThrow(error);
  });
});
