import type * as OpenPgp from 'openpgp';

// openpgp is large; load it only when a PGP key is actually used.
const loadOpenPgp = () => import('openpgp');

import type { KeyEntry } from '../metadata.ts';
import { type KeySource, nowRfc3339 } from './key-source.ts';

export interface PgpPrivateKey {
  /** An ASCII-armored private key. */
  armored: string;
  passphrase?: string;
}

/** OpenPGP key source via `openpgp`: armored private keys (optionally protected) and public keys. */
export function pgpKeySource(
  options: { privateKeys?: readonly PgpPrivateKey[]; publicKeys?: readonly string[] } = {},
): KeySource {
  let decryptionKeys: Promise<OpenPgp.PrivateKey[]> | undefined;
  const loadPrivate = () => {
    decryptionKeys ??= Promise.all(
      (options.privateKeys ?? []).map(async ({ armored, passphrase }) => {
        const openpgp = await loadOpenPgp();
        const key = await openpgp.readPrivateKey({ armoredKey: armored });
        return key.isDecrypted() || passphrase === undefined
          ? key
          : openpgp.decryptKey({ privateKey: key, passphrase });
      }),
    );
    return decryptionKeys;
  };
  return {
    type: 'pgp',
    async unwrap(entry: KeyEntry): Promise<Uint8Array> {
      let keys: OpenPgp.PrivateKey[];
      try {
        keys = await loadPrivate();
      } catch {
        throw new Error('pgp: a private key could not be read or unlocked (wrong passphrase?)');
      }
      if (keys.length === 0) throw new Error('pgp: no private key available');
      try {
        const openpgp = await loadOpenPgp();
        const message = await openpgp.readMessage({ armoredMessage: entry.enc });
        const { data } = await openpgp.decrypt({ message, decryptionKeys: keys, format: 'binary' });
        return data as Uint8Array;
      } catch {
        throw new Error('pgp: none of the private keys could decrypt the data key');
      }
    },
    async wrap(fingerprint: string, part: Uint8Array): Promise<KeyEntry> {
      const openpgp = await loadOpenPgp();
      const fp = fingerprint.replaceAll(' ', '');
      const wanted = fp.replace(/!$/, '').toUpperCase();
      const keys = await Promise.all(
        (options.publicKeys ?? []).map((armoredKey) => openpgp.readKey({ armoredKey })),
      );
      const key = keys.find((k) => k.getFingerprint().toUpperCase().endsWith(wanted));
      if (!key) throw new Error(`pgp: no public key with fingerprint ${fp}`);
      const message = await openpgp.createMessage({ binary: part });
      const enc = await openpgp.encrypt({ message, encryptionKeys: key, format: 'armored' });
      return { type: 'pgp', enc: String(enc), fields: { created_at: nowRfc3339(), fp } };
    },
  };
}
