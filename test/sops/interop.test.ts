import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ageKeySource,
  decryptFile,
  type EncryptionRules,
  encryptFile,
  type Format,
  keySourcesFromSecretData,
  pgpKeySource,
  type Recipient,
  SopsError,
} from '../../sops/index.ts';
import {
  createInteropKeys,
  generateSshRsa,
  type InteropKeys,
  run,
  sopsToFile,
} from './sops-fixtures.ts';

const SAMPLES: Record<Format, string> = {
  yaml: [
    '# head comment',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '    name: db # inline',
    'stringData:',
    '    password: hunter2',
    '    empty: ""',
    '    unicode: "héllo wörld ✓"',
    'data:',
    '    big: 9007199254740993',
    '    float: 3.25',
    '    flag: true',
    '    nested:',
    '        - - a',
    '          - b',
    '        - k: v',
    'note_unencrypted: stays',
    '---',
    'second: document',
    'data:',
    '    x: 1',
    '',
  ].join('\n'),
  json: '{\n\t"data": {\n\t\t"password": "hunter2",\n\t\t"n": 42,\n\t\t"f": 1.5,\n\t\t"list": [\n\t\t\ttrue,\n\t\t\tnull,\n\t\t\t"é"\n\t\t]\n\t},\n\t"note_unencrypted": "stays",\n\t"empty": ""\n}\n',
  dotenv:
    '# comment\ndata=hunter2\nPASSWORD=with spaces = and "quotes"\nnote_unencrypted=stays\nMULTI=a\\nb\nEMPTY=\n',
  ini: 'top = 1\n; section comment\n[data]\npassword = hunter2\nnote_unencrypted = stays\n\n[other]\nx = y\n',
  binary: 'hunter2 \u00e9 binary\n\twith tabs\n',
};

const EXT: Record<Format, string> = {
  yaml: 'yaml',
  json: 'json',
  dotenv: 'env',
  ini: 'ini',
  binary: 'bin',
};

type KeyCase = 'age' | 'age-pq' | 'age-ssh' | 'pgp' | 'groups';
type RuleCase = 'none' | 'encrypted_regex' | 'unencrypted_suffix' | 'mac_only_encrypted';

const RULES: Record<RuleCase, { flags: string[]; rules: EncryptionRules }> = {
  none: { flags: [], rules: {} },
  encrypted_regex: {
    flags: ['--encrypted-regex', '^(data|stringData)$'],
    rules: { encrypted_regex: '^(data|stringData)$' },
  },
  unencrypted_suffix: {
    flags: ['--unencrypted-suffix', '_unencrypted'],
    rules: { unencrypted_suffix: '_unencrypted' },
  },
  mac_only_encrypted: { flags: ['--mac-only-encrypted'], rules: { mac_only_encrypted: true } },
};

let keys: InteropKeys;
beforeAll(async () => {
  keys = await createInteropKeys();
}, 120_000);
afterAll(async () => {
  await keys?.stop();
});

function keyGroups(keyCase: KeyCase): Recipient[][] {
  const [a0, a1] = keys.age;
  if (keyCase === 'age') return [[{ type: 'age', id: a0?.recipient ?? '' }]];
  if (keyCase === 'pgp') return [[{ type: 'pgp', id: keys.pgp.fingerprint }]];
  if (keyCase === 'age-ssh') return [[{ type: 'age', id: keys.ssh.publicKey }]];
  if (keyCase === 'age-pq') return [[{ type: 'age', id: keys.age[2]?.recipient ?? '' }]];
  return [
    [{ type: 'age', id: a0?.recipient ?? '' }],
    [{ type: 'age', id: a1?.recipient ?? '' }],
    [{ type: 'pgp', id: keys.pgp.fingerprint }],
  ];
}

/** Writes a .sops.yaml for the key case and returns the sops flags that use it. */
async function sopsKeyFlags(keyCase: KeyCase, name: string): Promise<string[]> {
  if (keyCase === 'age') return ['--age', keys.age[0]?.recipient ?? ''];
  if (keyCase === 'pgp') return ['--pgp', keys.pgp.fingerprint];
  if (keyCase === 'age-ssh') return ['--age', keys.ssh.publicKey];
  if (keyCase === 'age-pq') return ['--age', keys.age[2]?.recipient ?? ''];
  const config = join(keys.dir, `${name}-creation-rules.yml`);
  const groups = keyGroups('groups')
    .map((g) => g.map((r) => `      - ${r.type}: ['${r.id}']`).join('\n'))
    .join('\n');
  await writeFile(config, `creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n${groups}\n`);
  return ['--config', config];
}

const matrix = (['yaml', 'json', 'dotenv', 'ini', 'binary'] as const).flatMap((format) =>
  (['age', 'age-pq', 'age-ssh', 'pgp', 'groups'] as const).flatMap((keyCase) =>
    (Object.keys(RULES) as RuleCase[]).map((ruleCase) => ({ format, keyCase, ruleCase })),
  ),
);

describe('interop with the real sops binary', () => {
  it.each(matrix)(
    '$format × $keyCase × $ruleCase: both directions agree with sops',
    async ({ format, keyCase, ruleCase }) => {
      const name = `${format}-${keyCase}-${ruleCase}`;
      const plainPath = join(keys.dir, `${name}.${EXT[format]}`);
      await writeFile(plainPath, SAMPLES[format]);
      const typeFlags = ['--input-type', format, '--output-type', format];
      const ruleFlags = format === 'binary' ? [] : RULES[ruleCase].flags;
      const keyFlags = await sopsKeyFlags(keyCase, name);

      // sops encrypts → we decrypt to the bytes sops decrypts to.
      const encPath = join(keys.dir, `${name}.sops.${EXT[format]}`);
      const encrypted = await sopsToFile(
        [...keyFlags, ...typeFlags, ...ruleFlags, '--encrypt', plainPath],
        keys.env,
        encPath,
      );
      expect(encrypted.stderr).toBe('');
      expect(encrypted.code).toBe(0);
      const expected = await sopsToFile(
        [...typeFlags, '--decrypt', encPath],
        keys.env,
        join(keys.dir, `${name}.expected`),
      );
      expect(expected.code).toBe(0);
      const ours = await decryptFile(encrypted.bytes, {
        format,
        path: encPath,
        keySources: keys.all,
      });
      expect(Buffer.from(ours.plaintext).toString('latin1')).toBe(
        expected.bytes.toString('latin1'),
      );

      // We encrypt → sops decrypts to what it decrypts its own encryption to.
      const groupSources =
        keyCase === 'groups'
          ? [
              ageKeySource([keys.age[0]?.identity ?? '']),
              pgpKeySource({ publicKeys: [keys.pgp.public] }),
            ]
          : keys.all;
      const mine = await encryptFile(Buffer.from(SAMPLES[format]), {
        format,
        keyGroups: keyGroups(keyCase),
        shamirThreshold: 2,
        rules: RULES[ruleCase].rules,
        keySources: groupSources,
      });
      expect(Buffer.from(mine).toString('utf8')).not.toContain('hunter2');
      const minePath = join(keys.dir, `${name}.ours.${EXT[format]}`);
      await writeFile(minePath, mine);
      const theirs = await sopsToFile(
        [...typeFlags, '--decrypt', minePath],
        keys.env,
        join(keys.dir, `${name}.theirs`),
      );
      expect(theirs.stderr).toBe('');
      expect(theirs.bytes.toString('latin1')).toBe(expected.bytes.toString('latin1'));
      if (keyCase === 'groups') {
        // Threshold 2 of 3: the first age key plus the PGP key suffice.
        const partial = await decryptFile(mine, {
          format,
          keySources: [ageKeySource([keys.age[0]?.identity ?? '']), keys.all[1] as never],
        });
        expect(Buffer.from(partial.plaintext).equals(expected.bytes)).toBe(true);
      }
    },
  );

  it.each(['yaml', 'dotenv'] as const)('ssh-rsa recipients work both ways (%s)', async (format) => {
    const rsa = generateSshRsa();
    const keyPath = join(keys.dir, `id_rsa_${format}`);
    await writeFile(keyPath, rsa.privateKey, { mode: 0o600 });
    const env = { ...keys.env, SOPS_AGE_SSH_PRIVATE_KEY_FILE: keyPath, SOPS_AGE_KEY_FILE: '' };
    const sources = [ageKeySource([rsa.privateKey])];
    const plainPath = join(keys.dir, `rsa.${EXT[format]}`);
    await writeFile(plainPath, SAMPLES[format]);
    const enc = await sopsToFile(
      ['--age', rsa.publicKey, '--encrypt', plainPath],
      env,
      join(keys.dir, `rsa.sops.${EXT[format]}`),
    );
    expect(enc.code).toBe(0);
    const expected = await sopsToFile(
      ['--decrypt', join(keys.dir, `rsa.sops.${EXT[format]}`)],
      env,
      join(keys.dir, 'rsa.expected'),
    );
    const ours = await decryptFile(enc.bytes, { format, keySources: sources });
    expect(Buffer.from(ours.plaintext).equals(expected.bytes)).toBe(true);
    const mine = await encryptFile(Buffer.from(SAMPLES[format]), {
      format,
      keyGroups: [[{ type: 'age', id: rsa.publicKey }]],
      keySources: sources,
    });
    await writeFile(join(keys.dir, `rsa.ours.${EXT[format]}`), mine);
    const back = await sopsToFile(
      ['--decrypt', join(keys.dir, `rsa.ours.${EXT[format]}`)],
      env,
      join(keys.dir, 'rsa.back'),
    );
    expect(back.stderr).toBe('');
    expect(back.bytes.equals(expected.bytes)).toBe(true);
  });

  it('a 5 MiB binary file round-trips both ways', async () => {
    const bytes = randomBytes(5 * 1024 * 1024);
    const path = join(keys.dir, 'big.bin');
    await writeFile(path, bytes);
    const enc = await sopsToFile(
      ['--age', keys.age[0]?.recipient ?? '', '--encrypt', path],
      keys.env,
      join(keys.dir, 'big.sops.bin'),
    );
    expect(enc.code).toBe(0);
    const ours = await decryptFile(enc.bytes, { format: 'binary', keySources: keys.all });
    expect(Buffer.from(ours.plaintext).equals(bytes)).toBe(true);
    const mine = await encryptFile(bytes, {
      format: 'binary',
      keyGroups: keyGroups('age'),
      keySources: keys.all,
    });
    await writeFile(join(keys.dir, 'big.ours.bin'), mine);
    const back = await sopsToFile(
      ['--decrypt', join(keys.dir, 'big.ours.bin')],
      keys.env,
      join(keys.dir, 'big.back'),
    );
    expect(back.bytes.equals(bytes)).toBe(true);
  }, 120_000);
});

describe('key sources', () => {
  it('a passphrase-protected PGP key unlocks with its passphrase and not without', async () => {
    const env = { ...keys.env };
    const gpg = async (args: string[]) => {
      const result = await run(
        'gpg',
        ['--batch', '--pinentry-mode', 'loopback', '--passphrase', 'correct horse', ...args],
        { env },
      );
      expect(result.code).toBe(0);
      return result.stdout;
    };
    await gpg([
      '--quick-gen-key',
      'protected <protected@example.invalid>',
      'default',
      'default',
      'never',
    ]);
    const fp =
      /^fpr:+([0-9A-F]{40}):/m.exec(
        await gpg(['--list-secret-keys', '--with-colons', 'protected@example.invalid']),
      )?.[1] ?? '';
    const armored = await gpg(['--armor', '--export-secret-keys', fp]);
    const path = join(keys.dir, 'protected.yaml');
    await writeFile(path, 'stringData:\n    password: hunter2\n');
    const enc = await sopsToFile(
      ['--pgp', fp, '--encrypt', path],
      env,
      join(keys.dir, 'protected.sops.yaml'),
    );
    expect(enc.code).toBe(0);
    const ok = await decryptFile(enc.bytes, {
      format: 'yaml',
      keySources: [pgpKeySource({ privateKeys: [{ armored, passphrase: 'correct horse' }] })],
    });
    expect(Buffer.from(ok.plaintext).toString()).toContain('hunter2');
    const wrong = (await decryptFile(enc.bytes, {
      format: 'yaml',
      keySources: [pgpKeySource({ privateKeys: [{ armored, passphrase: 'wrong' }] })],
    }).catch((e: unknown) => e)) as SopsError;
    expect(wrong.code).toBe('DataKeyUnavailable');
    expect(wrong.message).toContain(fp);
    expect(wrong.message).not.toContain('hunter2');
  });

  it('a Flux decryption Secret (.agekey / .asc entries) yields working key sources', async () => {
    const path = join(keys.dir, 'flux.yaml');
    await writeFile(path, 'data:\n    a: b\n');
    const enc = await sopsToFile(
      ['--age', keys.age[1]?.recipient ?? '', '--encrypt', path],
      keys.env,
      join(keys.dir, 'flux.sops.yaml'),
    );
    const sources = keySourcesFromSecretData({
      'identity.agekey': Buffer.from(`# created\n${keys.age[1]?.identity}\n`),
      'pgp.asc': keys.pgp.secret,
      'sops.vault-token': 'ignored',
    });
    const out = await decryptFile(enc.bytes, { format: 'yaml', keySources: sources });
    expect(Buffer.from(out.plaintext).toString()).toBe('data:\n    a: b\n');
  });
});

describe('bad input from real sops files', () => {
  let encrypted: string;
  beforeAll(async () => {
    const path = join(keys.dir, 'bad.yaml');
    await writeFile(path, 'user: admin\npassword: hunter2\n');
    const out = await sopsToFile(
      ['--age', keys.age[0]?.recipient ?? '', '--encrypt', path],
      keys.env,
      join(keys.dir, 'bad.sops.yaml'),
    );
    encrypted = out.bytes.toString('utf8');
  });

  it.each([
    {
      name: 'tampered value',
      mutate: (s: string) =>
        s.replace(/password: ENC\[AES256_GCM,data:[^,]{2}/, 'password: ENC[AES256_GCM,data:AA'),
      code: 'ValueDecryptionFailed',
    },
    {
      name: 'tampered MAC',
      mutate: (s: string) =>
        s.replace(/mac: ENC\[AES256_GCM,data:[^,]{2}/, 'mac: ENC[AES256_GCM,data:AA'),
      code: 'MacMismatch',
    },
    {
      name: 'value replaced',
      mutate: (s: string) => s.replace(/user: ENC\[[^\n]*/, 'user: ""'),
      code: 'MacMismatch',
    },
    {
      name: 'non-base64 ENC',
      mutate: (s: string) =>
        s.replace(/password: ENC\[AES256_GCM,data:/, 'password: ENC[AES256_GCM,data:!!'),
      code: 'ValueDecryptionFailed',
    },
    {
      name: 'missing metadata',
      mutate: (s: string) => s.slice(0, s.indexOf('sops:')),
      code: 'MetadataNotFound',
    },
  ])('$name is refused with $code and no plaintext', async ({ mutate, code }) => {
    const error = (await decryptFile(Buffer.from(mutate(encrypted)), {
      path: 'bad.yaml',
      keySources: keys.all,
    }).catch((e: unknown) => e)) as SopsError;
    expect(error).toBeInstanceOf(SopsError);
    expect(error.code).toBe(code);
    expect(error.message).not.toMatch(/hunter2|admin/);
  });

  it('the wrong key is refused, naming the recipient tried', async () => {
    const error = (await decryptFile(Buffer.from(encrypted), {
      path: 'bad.yaml',
      keySources: [ageKeySource([keys.age[1]?.identity ?? ''])],
    }).catch((e: unknown) => e)) as SopsError;
    expect(error.code).toBe('DataKeyUnavailable');
    expect(error.message).toContain(keys.age[0]?.recipient ?? 'missing');
    expect(error.message).not.toContain('AGE-SECRET-KEY');
  });
});
