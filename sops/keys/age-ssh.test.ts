import { describe, expect, it } from 'vitest';
import { generateSshEd25519, generateSshRsa } from '../../test/sops/sops-fixtures.ts';
import { ageKeySource } from './age-key-source.ts';
import { parseSshEd25519Recipient } from './age-ssh.ts';

describe('age ssh-ed25519', () => {
  const key = generateSshEd25519();
  const other = generateSshEd25519();

  it('a data key wrapped for an SSH public key unwraps with its private key', async () => {
    const source = ageKeySource([key.privateKey]);
    const part = Buffer.alloc(32, 5);
    const entry = await source.wrap?.(key.publicKey, part);
    if (!entry) throw new Error('no entry');
    expect(entry.fields.recipient).toBe(key.publicKey);
    expect(entry.enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(Buffer.from(await source.unwrap(entry)).equals(part)).toBe(true);
  });

  it('another SSH key cannot unwrap it', async () => {
    const entry = await ageKeySource().wrap?.(key.publicKey, Buffer.alloc(32, 1));
    if (!entry) throw new Error('no entry');
    await expect(ageKeySource([other.privateKey]).unwrap(entry)).rejects.toThrow(
      /no identity matched/,
    );
  });

  it('ssh-rsa: wraps for the public key, unwraps with the private key, not with another key', async () => {
    const rsa = generateSshRsa();
    const entry = await ageKeySource().wrap?.(rsa.publicKey, Buffer.alloc(32, 9));
    if (!entry) throw new Error('no entry');
    expect(
      Buffer.from(await ageKeySource([rsa.privateKey]).unwrap(entry)).equals(Buffer.alloc(32, 9)),
    ).toBe(true);
    await expect(ageKeySource([key.privateKey]).unwrap(entry)).rejects.toThrow(
      /no identity matched/,
    );
  });

  it.each([
    { name: 'an RSA key line is not an ed25519 key', input: 'ssh-rsa AAAAB3NzaC1yc2E= x' },
    { name: 'a truncated key is refused', input: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 x' },
  ])('$name', ({ input }) => {
    expect(() => parseSshEd25519Recipient(input)).toThrow();
  });
});
