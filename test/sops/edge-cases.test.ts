import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  decryptFile,
  decryptObject,
  type EncryptionRules,
  encryptFile,
  formatForPath,
  type SopsError,
} from '../../sops/index.ts';
import { createInteropKeys, type InteropKeys, sopsToFile } from './sops-fixtures.ts';

const TESTDATA = join(import.meta.dirname, 'testdata');
const files = (await readdir(TESTDATA)).sort();

const RULES: Array<{ rule: string; flags: string[]; rules: EncryptionRules }> = [
  { rule: 'default', flags: [], rules: {} },
  {
    rule: 'encrypted_regex',
    flags: ['--encrypted-regex', '^(data|stringData)$'],
    rules: { encrypted_regex: '^(data|stringData)$' },
  },
  {
    rule: 'unencrypted_regex',
    flags: ['--unencrypted-regex', '^(metadata|a)$'],
    rules: { unencrypted_regex: '^(metadata|a)$' },
  },
  {
    rule: 'encrypted_comment_regex',
    flags: ['--encrypted-comment-regex', 'password'],
    rules: { encrypted_comment_regex: 'password' },
  },
];

let keys: InteropKeys;
beforeAll(async () => {
  keys = await createInteropKeys();
}, 120_000);
afterAll(async () => {
  await keys?.stop();
});

describe('edge cases against the real sops (comments, anchors, multi-document, scalar types, quoting)', () => {
  it.each(files.flatMap((file) => RULES.map((r) => ({ file, ...r }))))(
    '$file with $rule: same bytes as sops both ways',
    async ({ file, rule, flags, rules }) => {
      const plain = await readFile(join(TESTDATA, file));
      const source = join(keys.dir, `${rule}-${file}`);
      await writeFile(source, plain);
      const recipient = keys.age[0]?.recipient ?? '';
      const theirs = await sopsToFile(
        ['--encrypt', '--age', recipient, ...flags, source],
        keys.env,
        join(keys.dir, `${rule}-sops-${file}`),
      );
      expect(theirs.stderr).toBe('');
      const expected = await sopsToFile(
        ['--decrypt', join(keys.dir, `${rule}-sops-${file}`)],
        keys.env,
        join(keys.dir, `${rule}-expected-${file}`),
      );
      const format = formatForPath(file);
      const mine = await encryptFile(plain, {
        format,
        keyGroups: [[{ type: 'age', id: recipient }]],
        rules,
        keySources: keys.all,
      });
      const minePath = join(keys.dir, `${rule}-ours-${file}`);
      await writeFile(minePath, mine);
      const back = await sopsToFile(
        ['--decrypt', minePath],
        keys.env,
        join(keys.dir, `${rule}-back-${file}`),
      );

      if (expected.code !== 0) {
        // sops cannot read its own output when an unencrypted value does not survive the
        // round trip (e.g. -0.0 is written as -0 and re-read as int 0): match that refusal.
        expect(expected.code).toBe(51);
        const error = await decryptFile(theirs.bytes, { format, keySources: keys.all }).catch(
          (e: unknown) => e,
        );
        expect((error as SopsError).code).toBe('MacMismatch');
        expect(back.code).toBe(51);
        return;
      }
      const ours = await decryptFile(theirs.bytes, { format, keySources: keys.all });
      expect(Buffer.from(ours.plaintext).toString('utf8')).toBe(expected.bytes.toString('utf8'));
      expect(back.stderr).toBe('');
      expect(back.bytes.toString('utf8')).toBe(expected.bytes.toString('utf8'));
    },
  );
});

describe('decryptObject on a sops-encrypted manifest parsed like a kustomize build', () => {
  // Comment rules cannot work on a parsed object: its comments are gone (Flux has the same limit).
  it.each(RULES.filter((r) => !r.rule.includes('comment')))(
    'kubernetes-secret.yaml with $rule decrypts to what sops decrypts',
    async ({ rule, flags }) => {
      const source = join(keys.dir, `object-${rule}.yaml`);
      await writeFile(source, await readFile(join(TESTDATA, 'kubernetes-secret.yaml')));
      const encPath = join(keys.dir, `object-${rule}.sops.yaml`);
      const theirs = await sopsToFile(
        ['--encrypt', '--age', keys.age[0]?.recipient ?? '', ...flags, source],
        keys.env,
        encPath,
      );
      const expected = await sopsToFile(
        ['--decrypt', encPath],
        keys.env,
        join(keys.dir, `object-${rule}.expected`),
      );
      const object: unknown = parse(theirs.bytes.toString('utf8'));
      expect(await decryptObject(object, { keySources: keys.all, path: encPath })).toEqual(
        parse(expected.bytes.toString('utf8')),
      );
    },
  );
});
