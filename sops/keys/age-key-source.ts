import { armor, Decrypter, Encrypter } from 'age-encryption';
import type { KeyEntry } from '../metadata.ts';
import { sshEd25519Identity, sshEd25519Recipient } from './age-ssh.ts';
import { sshRsaRecipient } from './age-ssh-rsa.ts';
import type { KeySource } from './key-source.ts';

/** Extracts `AGE-SECRET-KEY-…` identities from identities-file text (comments ignored). */
export function parseAgeIdentities(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => line.split(/\s+/))
    .filter((token) => /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(token));
}

const SSH_PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----';

/**
 * age key source via `age-encryption`: X25519 and post-quantum hybrid identities
 * (`AGE-SECRET-KEY-…`), plus ssh-ed25519 and ssh-rsa keys (pass the OpenSSH private key text as an
 * identity). The wrapped payload is an ASCII-armored age file per recipient, as sops writes it.
 */
export function ageKeySource(identities: readonly string[] = []): KeySource {
  return {
    type: 'age',
    async unwrap(entry: KeyEntry): Promise<Uint8Array> {
      if (identities.length === 0) throw new Error('no age identity available');
      let file: Uint8Array;
      try {
        file = armor.decode(entry.enc.trim());
      } catch {
        throw new Error('the age payload is not a valid armored age file');
      }
      const decrypter = new Decrypter();
      for (const identity of identities) {
        if (!identity.startsWith(SSH_PRIVATE_KEY)) decrypter.addIdentity(identity);
        else {
          try {
            decrypter.addIdentity(sshEd25519Identity(identity));
          } catch (error) {
            throw new Error(
              `age: an SSH identity could not be used: ${error instanceof Error ? error.message : 'unreadable'}`,
            );
          }
        }
      }
      try {
        return await decrypter.decrypt(file);
      } catch (error) {
        const reason =
          error instanceof Error && /no identity matched/i.test(error.message)
            ? 'no identity matched any of the recipients'
            : 'decryption failed';
        throw new Error(`age: ${reason}`);
      }
    },
    async wrap(recipient: string, part: Uint8Array): Promise<KeyEntry> {
      const encrypter = new Encrypter();
      const trimmed = recipient.trim();
      if (trimmed.startsWith('ssh-ed25519 ')) encrypter.addRecipient(sshEd25519Recipient(trimmed));
      else if (trimmed.startsWith('ssh-rsa ')) encrypter.addRecipient(sshRsaRecipient(trimmed));
      else encrypter.addRecipient(trimmed);
      const file = await encrypter.encrypt(part);
      return { type: 'age', enc: armor.encode(file), fields: { recipient: trimmed } };
    },
  };
}
