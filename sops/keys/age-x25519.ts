import { createPrivateKey, createPublicKey, diffieHellman, randomBytes } from 'node:crypto';
import {
  ageHkdf,
  encodeBase64NoPad,
  type Identity,
  openFileKey,
  type Recipient,
  sealFileKey,
} from './age-format.ts';

// age's native X25519 recipient type (age-encryption.org/v1/X25519) on Node's crypto.
const LABEL = 'age-encryption.org/v1/X25519';
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** X25519 through Node's crypto: a raw scalar and point wrapped as PKCS#8 / SPKI DER. */
export function x25519(scalar: Uint8Array, point: Uint8Array): Buffer {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, scalar]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, point]),
    format: 'der',
    type: 'spki',
  });
  const shared = diffieHellman({ privateKey, publicKey });
  // age refuses low-order points, which would make the shared secret all zeros.
  if (shared.every((b) => b === 0)) throw new Error('X25519: low-order point');
  return shared;
}

/** The X25519 public key of a raw scalar. */
export function x25519PublicKey(scalar: Uint8Array): Buffer {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, scalar]),
    format: 'der',
    type: 'pkcs8',
  });
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

function polymod(values: readonly number[]): number {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= generators[i] ?? 0;
  }
  return chk;
}

/**
 * Decodes a Bech32 string (BIP 173 checksum, no length limit, as age uses it) with the given
 * human-readable part; throws without echoing the input, which may be a secret key.
 */
export function decodeBech32(text: string, hrp: string): Buffer {
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) throw new Error('mixed-case Bech32');
  const split = lower.lastIndexOf('1');
  if (lower.slice(0, split) !== hrp) throw new Error(`not a Bech32 "${hrp}" string`);
  const data: number[] = [];
  for (const char of lower.slice(split + 1)) {
    const value = CHARSET.indexOf(char);
    if (value < 0) throw new Error('invalid Bech32 character');
    data.push(value);
  }
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5);
  expanded.push(0, ...[...hrp].map((c) => c.charCodeAt(0) & 31));
  if (data.length < 6 || polymod([...expanded, ...data]) !== 1)
    throw new Error('invalid Bech32 checksum');
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const value of data.slice(0, -6)) {
    acc = (acc << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) throw new Error('invalid Bech32 padding');
  return Buffer.from(bytes);
}

/** Whether a string is an `AGE-SECRET-KEY-1…` X25519 identity (not the post-quantum kind). */
export function isX25519Identity(text: string): boolean {
  return /^AGE-SECRET-KEY-1[0-9A-Z]+$/.test(text);
}

/** Whether a string is an `age1…` X25519 recipient (not `age1pq1…` or a plugin's). */
export function isX25519Recipient(text: string): boolean {
  return /^age1[0-9a-z]{58}$/.test(text);
}

/** An `AGE-SECRET-KEY-1…` identity for the X25519 stanzas of a file. */
export function x25519Identity(secret: string): Identity {
  const scalar = decodeBech32(secret, 'age-secret-key-');
  if (scalar.length !== 32) throw new Error('malformed age X25519 identity');
  // Our public key salts the HKDF; derived when a stanza is tried, not for every identity found.
  let ours: Buffer | undefined;
  return {
    unwrapFileKey(stanzas) {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== 'X25519') continue;
        if (stanza.args.length !== 2 || stanza.body.length !== 32)
          throw new Error('invalid X25519 stanza');
        const share = Buffer.from(stanza.args[1] ?? '', 'base64');
        if (share.length !== 32) throw new Error('invalid X25519 stanza');
        ours ??= x25519PublicKey(scalar);
        const key = ageHkdf(x25519(scalar, share), Buffer.concat([share, ours]), LABEL);
        try {
          return openFileKey(key, stanza.body);
        } catch {
          // Sealed for another recipient: try the next stanza.
        }
      }
      return null;
    },
  };
}

/** An `age1…` recipient: an ephemeral X25519 share per file key. */
export function x25519Recipient(recipient: string): Recipient {
  const theirs = decodeBech32(recipient, 'age');
  if (theirs.length !== 32) throw new Error('malformed age X25519 recipient');
  return {
    wrapFileKey(fileKey) {
      const ephemeral = randomBytes(32);
      const share = x25519PublicKey(ephemeral);
      const key = ageHkdf(x25519(ephemeral, theirs), Buffer.concat([share, theirs]), LABEL);
      return [{ args: ['X25519', encodeBase64NoPad(share)], body: sealFileKey(key, fileKey) }];
    },
  };
}
