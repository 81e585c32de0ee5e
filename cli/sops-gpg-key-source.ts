import { spawn } from 'node:child_process';
import type { KeyEntry, KeySource } from '../sops/index.ts';

function runGpg(
  args: string[],
  input: Uint8Array | string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(env.SOPS_GPG_EXEC || 'gpg', args, {
      env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out) }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * OpenPGP through the user's `gpg`, as sops falls back to: the keyring in `GNUPGHOME` (and
 * its agent) decrypts, so passphrase prompts and smartcards keep working.
 */
export function gpgKeySource(env: NodeJS.ProcessEnv = process.env): KeySource {
  return {
    type: 'pgp',
    async unwrap(entry: KeyEntry): Promise<Uint8Array> {
      const result = await runGpg(
        ['--batch', '--quiet', '--no-tty', '--decrypt'],
        entry.enc,
        env,
      ).catch(() => undefined);
      if (result?.code !== 0)
        throw new Error('pgp: gpg could not decrypt the data key (secret key not in the keyring?)');
      return result.stdout;
    },
    async wrap(fingerprint: string, part: Uint8Array): Promise<KeyEntry> {
      const fp = fingerprint.replaceAll(' ', '');
      const args = [
        '--batch',
        '--no-default-recipient',
        '--yes',
        '--encrypt',
        '-a',
        '-r',
        fp,
        '--trusted-key',
        fp.replace(/!$/, '').slice(-16),
        '--no-encrypt-to',
      ];
      const result = await runGpg(args, part, env).catch(() => undefined);
      if (result?.code !== 0)
        throw new Error(`pgp: gpg could not encrypt for ${fp} (public key not in the keyring?)`);
      return {
        type: 'pgp',
        enc: result.stdout.toString('utf8').trim(),
        fields: { created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), fp },
      };
    },
  };
}
