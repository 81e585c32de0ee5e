import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInteropKeys, type InteropKeys, run } from './sops-fixtures.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');
const PLAIN =
  'apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: hunter2\n    user: admin\n';

let keys: InteropKeys;
beforeAll(async () => {
  keys = await createInteropKeys();
}, 120_000);
afterAll(async () => {
  await keys?.stop();
});

function kustodian(args: string[], env: NodeJS.ProcessEnv = keys.env, cwd = keys.dir) {
  return run(process.execPath, [MAIN, 'sops', ...args], { env, cwd, timeoutMs: 60_000 });
}
function sops(args: string[], env: NodeJS.ProcessEnv = keys.env, cwd = keys.dir) {
  return run('sops', ['--disable-version-check', ...args], { env, cwd, timeoutMs: 60_000 });
}
const onlyKey = (i: number): NodeJS.ProcessEnv => ({
  ...keys.env,
  SOPS_AGE_KEY_FILE: '',
  SOPS_AGE_KEY: keys.age[i]?.identity ?? '',
});

describe('kustodian sops CLI', () => {
  it('encrypt output decrypts with sops, and decrypt matches sops on a sops file', async () => {
    const file = join(keys.dir, 'secret.yaml');
    await writeFile(file, PLAIN);
    const ours = await kustodian([
      'encrypt',
      '--age',
      keys.age[0]?.recipient ?? '',
      '--encrypted-regex',
      '^(data|stringData)$',
      file,
    ]);
    expect(ours.stderr).toBe('');
    expect(ours.code).toBe(0);
    expect(ours.stdout).toContain('name: db');
    expect(ours.stdout).not.toContain('hunter2');
    await writeFile(join(keys.dir, 'ours.enc.yaml'), ours.stdout);
    expect((await sops(['--decrypt', 'ours.enc.yaml'])).stdout).toBe(PLAIN);

    const viaGpg = await kustodian(['encrypt', '--pgp', keys.pgp.fingerprint, file]);
    expect(viaGpg.stderr).toBe('');
    expect(viaGpg.stdout).toContain('-----BEGIN PGP MESSAGE-----');
    await writeFile(join(keys.dir, 'ours-pgp.enc.yaml'), viaGpg.stdout);
    expect((await sops(['--decrypt', 'ours-pgp.enc.yaml'])).stdout).toBe(PLAIN);

    const theirs = await sops(['--encrypt', '--pgp', keys.pgp.fingerprint, file]);
    await writeFile(join(keys.dir, 'theirs.enc.yaml'), theirs.stdout);
    const decrypted = await kustodian(['decrypt', 'theirs.enc.yaml']);
    expect(decrypted.stderr).toBe('');
    expect(decrypted.stdout).toBe(PLAIN);
    const extracted = await kustodian([
      'decrypt',
      '--extract',
      '["stringData"]["password"]',
      'theirs.enc.yaml',
    ]);
    expect(extracted.stdout).toBe('hunter2');
    const asJson = await kustodian(['decrypt', '--output-type', 'json', 'theirs.enc.yaml']);
    expect(JSON.parse(asJson.stdout)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: 'hunter2', user: 'admin' },
    });
    expect((await kustodian(['filestatus', 'theirs.enc.yaml'])).stdout).toBe(
      '{"encrypted":true}\n',
    );
    expect((await kustodian(['filestatus', 'secret.yaml'])).stdout).toBe('{"encrypted":false}\n');
  });

  it.each([
    {
      name: 'tampered MAC exits 51',
      mutate: (s: string) =>
        s.replace(/mac: ENC\[AES256_GCM,data:../, 'mac: ENC[AES256_GCM,data:AA'),
      env: () => keys.env,
      exit: 51,
    },
    { name: 'no usable key exits 128', mutate: (s: string) => s, env: () => onlyKey(1), exit: 128 },
    {
      name: 'missing metadata exits 1',
      mutate: (s: string) => s.slice(0, s.indexOf('sops:')),
      env: () => keys.env,
      exit: 1,
    },
  ])(
    '$name, prints no plaintext and leaves --in-place files untouched',
    async ({ mutate, env, exit }) => {
      const file = join(keys.dir, 'bad.yaml');
      await writeFile(file, PLAIN);
      const enc = mutate(
        (await sops(['--encrypt', '--age', keys.age[0]?.recipient ?? '', file])).stdout,
      );
      await writeFile(file, enc);
      const result = await kustodian(['decrypt', '--in-place', file], env());
      expect(result.code).toBe(exit);
      expect(result.stdout + result.stderr).not.toMatch(/hunter2|admin/);
      expect(result.stderr).toContain('bad.yaml');
      expect(await readFile(file, 'utf8')).toBe(enc);
    },
  );

  it.each([
    {
      name: 'a 100 MiB file',
      content: () => Buffer.alloc(100 * 1024 * 1024, 'a'),
      error: /too large for the yaml store/,
    },
    {
      name: 'a YAML alias bomb',
      content: () =>
        Buffer.from(
          [
            'a: &a [x, x, x, x, x, x, x, x, x, x]',
            ...'bcdefghi'
              .split('')
              .map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
          ].join('\n'),
        ),
      error: /excessive aliasing/,
    },
    {
      name: 'duplicate keys',
      content: () => Buffer.from('password: a\npassword: b\n'),
      error: /duplicate mapping key/,
    },
  ])(
    'encrypt --in-place refuses $name clearly and leaves the file as it was',
    async ({ content, error }) => {
      const file = join(keys.dir, 'refused.yaml');
      const bytes = content();
      await writeFile(file, bytes);
      const result = await kustodian([
        'encrypt',
        '--in-place',
        '--age',
        keys.age[0]?.recipient ?? '',
        file,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(error);
      expect(result.stderr).toContain('refused.yaml');
      expect((await readFile(file)).equals(bytes)).toBe(true);
    },
  );

  it('.sops.yaml creation rules pick keys and rules; the first matching rule wins', async () => {
    const [a0, a1] = keys.age;
    await writeFile(
      join(keys.dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: prod/.*\\.yaml$\n    age: ${a1?.recipient}\n  - path_regex: \\.yaml$\n    age: '${a0?.recipient}, ${a1?.recipient}'\n    encrypted_regex: ^stringData$\n`,
    );
    const file = join(keys.dir, 'app.yaml');
    await writeFile(file, PLAIN);
    const result = await kustodian(['encrypt', '--in-place', 'app.yaml']);
    expect(result.code).toBe(0);
    const written = await readFile(file, 'utf8');
    expect(written).toContain('encrypted_regex: ^stringData$');
    expect(written).toContain('kind: Secret');
    expect((await sops(['--decrypt', 'app.yaml'], onlyKey(1))).stdout).toBe(PLAIN);
  });

  it('rotate --rm-age removes a recipient; updatekeys adds one back with the same values', async () => {
    const [a0, a1] = keys.age;
    const file = join(keys.dir, 'rotate.yaml');
    await writeFile(file, PLAIN);
    await writeFile(
      join(keys.dir, 'rotate.enc.yaml'),
      (await sops(['--encrypt', '--age', `${a0?.recipient},${a1?.recipient}`, file])).stdout,
    );
    const rotated = await kustodian([
      'rotate',
      '--in-place',
      '--rm-age',
      a1?.recipient ?? '',
      'rotate.enc.yaml',
    ]);
    expect(rotated.stderr).toBe('');
    expect((await sops(['--decrypt', 'rotate.enc.yaml'], onlyKey(0))).stdout).toBe(PLAIN);
    expect((await sops(['--decrypt', 'rotate.enc.yaml'], onlyKey(1))).code).not.toBe(0);

    await writeFile(
      join(keys.dir, 'keys.sops.yaml'),
      `creation_rules:\n  - age: ${a0?.recipient},${a1?.recipient}\n`,
    );
    const before = await readFile(join(keys.dir, 'rotate.enc.yaml'), 'utf8');
    const declined = await kustodian([
      'updatekeys',
      '--config',
      'keys.sops.yaml',
      'rotate.enc.yaml',
    ]);
    expect(declined.stderr).toContain('Changes not applied');
    expect(await readFile(join(keys.dir, 'rotate.enc.yaml'), 'utf8')).toBe(before);
    const updated = await kustodian([
      'updatekeys',
      '--yes',
      '--config',
      'keys.sops.yaml',
      'rotate.enc.yaml',
    ]);
    expect(updated.code).toBe(0);
    const after = await readFile(join(keys.dir, 'rotate.enc.yaml'), 'utf8');
    expect(after.match(/password: .*/)?.[0]).toBe(before.match(/password: .*/)?.[0]);
    expect((await sops(['--decrypt', 'rotate.enc.yaml'], onlyKey(1))).stdout).toBe(PLAIN);
  });

  it('edit re-encrypts on save, keeps unchanged envelopes, and removes the temp file', async () => {
    const file = join(keys.dir, 'edit.yaml');
    await writeFile(file, PLAIN);
    await writeFile(
      file,
      (await sops(['--encrypt', '--age', keys.age[0]?.recipient ?? '', file])).stdout,
    );
    const before = await readFile(file, 'utf8');
    const editor = join(keys.dir, 'editor.sh');
    await writeFile(
      editor,
      '#!/bin/sh\nls -l "$1" > "$(dirname "$0")/editor-mode"\necho "$1" > "$(dirname "$0")/editor-path"\nprintf "extra: added\\n" >> "$1"\n',
    );
    await chmod(editor, 0o755);
    const result = await kustodian(['edit', 'edit.yaml'], { ...keys.env, EDITOR: editor });
    expect(result.stderr).toBe('');
    const after = await readFile(file, 'utf8');
    expect(after.match(/password: .*/)?.[0]).toBe(before.match(/password: .*/)?.[0]);
    expect((await sops(['--decrypt', 'edit.yaml'])).stdout).toBe(`${PLAIN}extra: added\n`);
    expect(await readFile(join(keys.dir, 'editor-mode'), 'utf8')).toMatch(/^-rw-------/);
    const tempPath = (await readFile(join(keys.dir, 'editor-path'), 'utf8')).trim();
    await expect(readFile(tempPath)).rejects.toThrow();
  });
});
