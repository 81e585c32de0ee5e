import { createHash } from 'node:crypto';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { decryptScalar, encryptScalar } from './cipher.ts';
import { formatFloatF, formatFloatG } from './go-format.ts';
import {
  ageKeySource,
  decryptFile,
  decryptObject,
  encryptFile,
  type Format,
  isSopsEncryptedObject,
  SopsError,
} from './index.ts';
import { toPlain } from './metadata.ts';
import { buildSelector } from './rules.ts';
import { flattenMetadata, unflattenMetadata } from './stores/flatten.ts';
import { parseYaml } from './stores/yaml-parse.ts';
import { formatString } from './stores/yaml-style.ts';

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const other = await generateIdentity();
const keySources = [ageKeySource([identity])];
const keyGroups = [[{ type: 'age' as const, id: recipient }]];

async function roundTrip(text: string, format: Format, rules = {}) {
  const encrypted = await encryptFile(Buffer.from(text), { format, keyGroups, keySources, rules });
  return {
    encrypted: Buffer.from(encrypted).toString('utf8'),
    decrypted: await decryptFile(encrypted, { format, keySources, path: `f.${format}` }),
  };
}

describe('MAC', () => {
  it('matches the spec test vector (SHA-512 of the concatenated plaintext leaves)', () => {
    const digest = createHash('sha512')
      .update('this is a secretstring73.14Truethis is a secretonetwothree')
      .digest('hex')
      .toUpperCase();
    expect(digest).toBe(
      '3B83FDE1D6E139C4E0789EBDFFDE65D3AD44BCFB0B391C64F052064DC4BF6523B29B2CDF8F4AFE05917972B73594B97908D404BC21F9614C2638D26DCBB6E580',
    );
  });
});

describe('cipher', () => {
  const key = Buffer.alloc(32, 7);
  it.each([
    { name: 'string', value: { type: 'str', value: 'héllo' } as const },
    { name: 'int', value: { type: 'int', value: 9007199254740993n } as const },
    { name: 'float', value: { type: 'float', value: 1.5 } as const },
    { name: 'bool', value: { type: 'bool', value: false } as const },
  ])('$name round-trips with its type tag', ({ value }) => {
    const text = encryptScalar(value, key, 'a:b:');
    expect(text).toMatch(
      /^ENC\[AES256_GCM,data:.*,iv:[A-Za-z0-9+/]{43}=,tag:[A-Za-z0-9+/]{22}==,type:\w+\]$/,
    );
    expect(decryptScalar(text, key, 'a:b:')).toEqual(value);
  });
  it('a value moved to another key is refused', () => {
    const text = encryptScalar({ type: 'str', value: 'secret' }, key, 'a:');
    expect(() => decryptScalar(text, key, 'b:')).toThrow(SopsError);
  });
  it('an empty string is not encrypted', () => {
    expect(encryptScalar({ type: 'str', value: '' }, key, 'a:')).toBe('');
  });
});

describe('Go number formatting', () => {
  it.each([
    { input: 1, f: '1', g: '1' },
    { input: 1.5e-7, f: '0.00000015', g: '1.5e-07' },
    { input: 1e21, f: '1000000000000000000000', g: '1e+21' },
    { input: 1234567, f: '1234567', g: '1.234567e+06' },
    { input: 100000, f: '100000', g: '100000' },
    { input: Number.POSITIVE_INFINITY, f: '+Inf', g: '+Inf' },
  ])('$input formats as $f / $g', ({ input, f, g }) => {
    expect(formatFloatF(input)).toBe(f);
    expect(formatFloatG(input)).toBe(g);
  });
});

describe('YAML scalar style (go-yaml v3)', () => {
  it.each([
    { input: 'plain', want: 'plain' },
    { input: 'true', want: '"true"' },
    { input: 'y', want: '"y"' },
    { input: '123', want: '"123"' },
    { input: '', want: '""' },
    { input: 'a: b', want: "'a: b'" },
    { input: '#x', want: "'#x'" },
    { input: 'tab\there', want: '"tab\\there"' },
    { input: "it's", want: "it's" },
    { input: '2024-01-01', want: '"2024-01-01"' },
    { input: '😀', want: '"\\U0001F600"' },
  ])('$input is written as $want', ({ input, want }) => {
    expect(formatString(input, false, 4)).toEqual({ inline: want });
  });
});

describe('encryption rules', () => {
  it.each([
    {
      name: 'default suffix leaves _unencrypted keys alone',
      rules: {},
      path: ['a_unencrypted', 'b'],
      want: false,
    },
    { name: 'default encrypts everything else', rules: {}, path: ['a', 'b'], want: true },
    {
      name: 'encrypted_regex selects matching ancestors',
      rules: { encrypted_regex: '^(data|stringData)$' },
      path: ['data', 'x'],
      want: true,
    },
    {
      name: 'encrypted_regex skips the rest',
      rules: { encrypted_regex: '^(data|stringData)$' },
      path: ['metadata', 'name'],
      want: false,
    },
    { name: 'encrypted_suffix', rules: { encrypted_suffix: '_enc' }, path: ['pw_enc'], want: true },
    {
      name: 'unencrypted_regex',
      rules: { unencrypted_regex: '^pub' },
      path: ['public'],
      want: false,
    },
  ])('$name', ({ rules, path, want }) => {
    expect(buildSelector(rules)(path, [[]], false)).toBe(want);
  });
  it('two rules at once are refused', () => {
    expect(() => buildSelector({ encrypted_regex: 'a', unencrypted_suffix: '_x' })).toThrow(
      /more than one/,
    );
  });
});

describe('metadata flattening', () => {
  it('round-trips nested lists and maps', () => {
    const map = parseYaml(
      Buffer.from('key_groups:\n  - age:\n      - recipient: r\n        enc: e\nversion: 3.13.3\n'),
    )[0];
    if (!map) throw new Error('no branch');
    const flat = flattenMetadata(map, '');
    expect(flat.map((e) => e.key)).toEqual([
      'key_groups__list_0__map_age__list_0__map_recipient',
      'key_groups__list_0__map_age__list_0__map_enc',
      'version',
    ]);
    const back = unflattenMetadata(flat);
    expect(
      flattenMetadata(back, '')
        .map((e) => e.value)
        .sort(),
    ).toEqual(['3.13.3', 'e', 'r']);
  });
});

describe('encrypt then decrypt', () => {
  it.each([
    { format: 'yaml' as const, text: '# c\na: 1\nb:\n    - x\n    - 1.5\nc_unencrypted: keep\n' },
    { format: 'json' as const, text: '{\n\t"a": 1,\n\t"b": [\n\t\t"x",\n\t\ttrue\n\t]\n}\n' },
    { format: 'dotenv' as const, text: '#c\nA=1\nB=two\\nlines\n' },
    { format: 'binary' as const, text: 'raw bytes\n' },
  ])('$format round-trips to the same bytes', async ({ format, text }) => {
    const { encrypted, decrypted } = await roundTrip(text, format);
    expect(encrypted).not.toContain('two');
    expect(Buffer.from(decrypted.plaintext).toString('utf8')).toBe(text);
  });

  it('encrypted_regex leaves other keys in clear text', async () => {
    const { encrypted } = await roundTrip(
      'metadata:\n    name: db\ndata:\n    pw: hunter2\n',
      'yaml',
      { encrypted_regex: '^(data|stringData)$' },
    );
    expect(encrypted).toContain('name: db');
    expect(encrypted).not.toContain('hunter2');
  });
});

describe('decryptObject (manifests from a kustomize build)', () => {
  it('a YAML-encrypted Secret parsed into an object decrypts through the JSON store', async () => {
    const text =
      'apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: hunter2\n    port: 5432\n';
    const encrypted = await encryptFile(Buffer.from(text), {
      format: 'yaml',
      keyGroups,
      keySources,
      rules: { encrypted_regex: '^(data|stringData)$' },
    });
    const object = parseYaml(encrypted)[0];
    if (!object) throw new Error('no document');
    const plain = JSON.parse(JSON.stringify(toPlain(object)));
    expect(isSopsEncryptedObject(plain)).toBe(true);
    expect(await decryptObject(plain, { keySources, path: 'apps/db.yaml' })).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: 'hunter2', port: 5432 },
    });
    const tampered = { ...plain, metadata: { name: 'other' } };
    await expect(decryptObject(tampered, { keySources, path: 'apps/db.yaml' })).rejects.toThrow(
      'apps/db.yaml: MAC mismatch',
    );
    expect(isSopsEncryptedObject({ kind: 'ConfigMap' })).toBe(false);
  });
});

describe('bad input', () => {
  const plain = 'user: admin\npassword: hunter2\n';
  const cases: Array<{
    name: string;
    mutate: (s: string) => string;
    code: string;
    keys?: typeof keySources;
  }> = [
    {
      name: 'tampered value is refused',
      mutate: (s) =>
        s.replace(
          /password: ENC\[AES256_GCM,data:(.)/,
          (_m, c: string) => `password: ENC[AES256_GCM,data:${c === 'A' ? 'B' : 'A'}`,
        ),
      code: 'ValueDecryptionFailed',
    },
    {
      name: 'swapped values fail the MAC or AAD',
      mutate: (s) => s.replace(/lastmodified: "(\d{4})/, 'lastmodified: "2000'),
      code: 'MacMismatch',
    },
    {
      name: 'truncated ENC string is refused',
      mutate: (s) => s.replace(/password: (ENC\[[^\]]{0,30})[^\n]*/, 'password: $1'),
      code: 'ValueDecryptionFailed',
    },
    {
      name: 'missing metadata is refused',
      mutate: (s) => s.slice(0, s.indexOf('sops:')),
      code: 'MetadataNotFound',
    },
    {
      name: 'invalid version is refused',
      mutate: (s) => s.replace(/version: .*/, 'version: banana'),
      code: 'UnsupportedVersion',
    },
    {
      name: 'wrong key is refused',
      mutate: (s) => s,
      code: 'DataKeyUnavailable',
      keys: [ageKeySource([other])],
    },
  ];
  it.each(cases)('$name', async ({ mutate, code, keys }) => {
    const encrypted = Buffer.from(
      await encryptFile(Buffer.from(plain), { format: 'yaml', keyGroups, keySources }),
    ).toString('utf8');
    const error = await decryptFile(Buffer.from(mutate(encrypted)), {
      path: 'apps/db.yaml',
      keySources: keys ?? keySources,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SopsError);
    expect((error as SopsError).code).toBe(code);
    expect((error as SopsError).message).toMatch(/^apps\/db\.yaml: /);
    expect((error as SopsError).message).not.toContain('hunter2');
    expect((error as SopsError).message).not.toContain('AGE-SECRET-KEY');
  });

  it('a tampered MAC names the file and says what happened', async () => {
    const encrypted = Buffer.from(
      await encryptFile(Buffer.from(plain), { format: 'yaml', keyGroups, keySources }),
    ).toString('utf8');
    const { decrypted } = { decrypted: encrypted.replace(/user: ENC\[[^\n]*/, 'user: ""') };
    await expect(
      decryptFile(Buffer.from(decrypted), { path: 'db.yaml', keySources }),
    ).rejects.toThrow('db.yaml: MAC mismatch: the file was changed after it was encrypted');
    const ignored = await decryptFile(Buffer.from(decrypted), {
      path: 'db.yaml',
      keySources,
      verifyMac: false,
    });
    expect(Buffer.from(ignored.plaintext).toString()).toBe('user: ""\npassword: hunter2\n');
  });

  it('a YAML alias bomb is refused', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
    ].join('\n');
    await expect(
      encryptFile(Buffer.from(bomb), { format: 'yaml', keyGroups, keySources }),
    ).rejects.toThrow(/excessive aliasing/);
  });

  it('a file over the size limit is refused with a clear error, not parsed', async () => {
    const big = Buffer.alloc(33 * 1024 * 1024, 'a');
    await expect(
      encryptFile(big, { format: 'yaml', keyGroups, keySources, path: 'big.yaml' }),
    ).rejects.toThrow('big.yaml: file is too large for the yaml store (33 MiB, limit 32 MiB)');
    await expect(
      decryptFile(big, { format: 'json', keySources, path: 'big.json' }),
    ).rejects.toThrow(/too large for the json store/);
  });

  it('duplicate keys are refused', async () => {
    await expect(
      encryptFile(Buffer.from('a: 1\na: 2\n'), { format: 'yaml', keyGroups, keySources }),
    ).rejects.toThrow(/duplicate/);
  });

  it('cloud keys in metadata are reported, not crashed on', async () => {
    const encrypted = Buffer.from(
      await encryptFile(Buffer.from(plain), { format: 'yaml', keyGroups, keySources }),
    ).toString('utf8');
    const withKms = encrypted.replace(
      'sops:\n',
      'sops:\n    kms:\n        - arn: arn:aws:kms:us-east-1:1:key/x\n          created_at: "2024-01-01T00:00:00Z"\n          enc: AAAA\n          aws_profile: ""\n',
    );
    const error = (await decryptFile(Buffer.from(withKms), {
      path: 'x.yaml',
      keySources: [],
    }).catch((e: unknown) => e)) as SopsError;
    expect(error.code).toBe('DataKeyUnavailable');
    expect(error.message).toContain(
      'kms arn:aws:kms:us-east-1:1:key/x: no key source available for kms',
    );
  });
});
