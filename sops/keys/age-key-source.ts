import type { KeyEntry } from '../metadata.ts';
import {
  type AgeFile,
  decodeArmor,
  decryptAgePayload,
  encodeArmor,
  encryptAgeFile,
  type Identity,
  parseAgeFile,
  type Recipient,
} from './age-format.ts';
import { sshEd25519Identity, sshEd25519Recipient } from './age-ssh.ts';
import { sshRsaRecipient } from './age-ssh-rsa.ts';
import {
  isX25519Identity,
  isX25519Recipient,
  x25519Identity,
  x25519Recipient,
} from './age-x25519.ts';
import type { KeySource } from './key-source.ts';

// `age-encryption` (noble curves, ML-KEM) takes longer to load than a whole one-shot decrypt,
// so X25519 and SSH keys go through Node's crypto and the package is loaded only for the
// post-quantum hybrid keys and other types it knows.
const loadAgeEncryption = () => import('age-encryption');

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

function sshIdentity(pem: string): Identity {
  try {
    return sshEd25519Identity(pem);
  } catch (error) {
    throw new Error(
      `age: an SSH identity could not be used: ${error instanceof Error ? error.message : 'unreadable'}`,
    );
  }
}

function nativeIdentity(identity: string): Identity | undefined {
  if (identity.startsWith(SSH_PRIVATE_KEY)) return sshIdentity(identity);
  if (!isX25519Identity(identity)) return undefined;
  try {
    return x25519Identity(identity);
  } catch {
    throw new Error('age: an X25519 identity is malformed');
  }
}

function nativeRecipient(recipient: string): Recipient | undefined {
  if (recipient.startsWith('ssh-ed25519 ')) return sshEd25519Recipient(recipient);
  if (recipient.startsWith('ssh-rsa ')) return sshRsaRecipient(recipient);
  if (isX25519Recipient(recipient)) return x25519Recipient(recipient);
  return undefined;
}

/** The file key from the first identity that can unwrap a stanza, or undefined. */
function unwrapNative(identities: readonly Identity[], file: AgeFile): Uint8Array | undefined {
  for (const identity of identities) {
    let fileKey: Uint8Array | null;
    try {
      fileKey = identity.unwrapFileKey(file.stanzas);
    } catch {
      throw new Error('age: decryption failed');
    }
    if (fileKey) return fileKey;
  }
  return undefined;
}

/** Decrypts with `age-encryption`, for identities (post-quantum, …) the native path lacks. */
async function decryptWithLibrary(
  identities: readonly string[],
  native: readonly Identity[],
  bytes: Uint8Array,
): Promise<Uint8Array> {
  const { Decrypter } = await loadAgeEncryption();
  const decrypter = new Decrypter();
  for (const identity of identities)
    if (!identity.startsWith(SSH_PRIVATE_KEY)) decrypter.addIdentity(identity);
  for (const identity of native) decrypter.addIdentity(identity);
  try {
    return await decrypter.decrypt(bytes);
  } catch (error) {
    const reason =
      error instanceof Error && /no identity matched/i.test(error.message)
        ? 'no identity matched any of the recipients'
        : 'decryption failed';
    throw new Error(`age: ${reason}`);
  }
}

/**
 * age key source: X25519 and post-quantum hybrid identities (`AGE-SECRET-KEY-…`), plus
 * ssh-ed25519 and ssh-rsa keys (pass the OpenSSH private key text as an identity). The wrapped
 * payload is an ASCII-armored age file per recipient, as sops writes it.
 */
export function ageKeySource(identities: readonly string[] = []): KeySource {
  return {
    type: 'age',
    async unwrap(entry: KeyEntry): Promise<Uint8Array> {
      if (identities.length === 0) throw new Error('no age identity available');
      let bytes: Buffer;
      let file: AgeFile;
      try {
        bytes = decodeArmor(entry.enc);
        file = parseAgeFile(bytes);
      } catch {
        throw new Error('the age payload is not a valid armored age file');
      }
      const native: Identity[] = [];
      const others: string[] = [];
      for (const identity of identities) {
        const handled = nativeIdentity(identity);
        if (handled) native.push(handled);
        else others.push(identity);
      }
      const fileKey = unwrapNative(native, file);
      if (fileKey) {
        try {
          return decryptAgePayload(file, fileKey);
        } catch {
          throw new Error('age: decryption failed');
        }
      }
      if (others.length > 0) return decryptWithLibrary(others, native, bytes);
      throw new Error('age: no identity matched any of the recipients');
    },
    async wrap(recipient: string, part: Uint8Array): Promise<KeyEntry> {
      const trimmed = recipient.trim();
      const native = nativeRecipient(trimmed);
      let file: Uint8Array;
      if (native) file = encryptAgeFile([native], part);
      else {
        const { Encrypter } = await loadAgeEncryption();
        const encrypter = new Encrypter();
        encrypter.addRecipient(trimmed);
        file = await encrypter.encrypt(part);
      }
      return { type: 'age', enc: encodeArmor(file), fields: { recipient: trimmed } };
    },
  };
}
