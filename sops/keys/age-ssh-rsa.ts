import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import type { Identity, Recipient } from './age-format.ts';

// age's ssh-rsa recipient type: the file key is RSA-OAEP-SHA256 encrypted with this label.
const LABEL = Buffer.from('age-encryption.org/v1/ssh-rsa');

/** Reads one SSH wire-format string (uint32 length + bytes). */
export function readSshString(buf: Buffer, offset: number): [Buffer, number] {
  if (offset + 4 > buf.length) throw new Error('truncated SSH key');
  const length = buf.readUInt32BE(offset);
  if (offset + 4 + length > buf.length) throw new Error('truncated SSH key');
  return [buf.subarray(offset + 4, offset + 4 + length), offset + 4 + length];
}

/** age's SSH key tag: base64 (no padding) of the first 4 bytes of SHA-256 of the wire key. */
export function sshFingerprint(wire: Uint8Array): string {
  return createHash('sha256')
    .update(wire)
    .digest()
    .subarray(0, 4)
    .toString('base64')
    .replace(/=+$/, '');
}

function unsigned(mpint: Buffer): string {
  let start = 0;
  while (start < mpint.length - 1 && mpint[start] === 0) start++;
  return mpint.subarray(start).toString('base64url');
}

function toBigInt(mpint: Buffer): bigint {
  return mpint.length === 0 ? 0n : BigInt(`0x${mpint.toString('hex')}`);
}

function fromBigInt(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

export function sshRsaRecipient(line: string): Recipient {
  const [type, data] = line.trim().split(/\s+/);
  if (type !== 'ssh-rsa' || !data) throw new Error('not an ssh-rsa public key');
  const wire = Buffer.from(data, 'base64');
  const [name, o1] = readSshString(wire, 0);
  const [e, o2] = readSshString(wire, o1);
  const [n] = readSshString(wire, o2);
  if (name.toString() !== 'ssh-rsa') throw new Error('malformed ssh-rsa public key');
  const key = createPublicKey({
    key: { kty: 'RSA', n: unsigned(n), e: unsigned(e) },
    format: 'jwk',
  });
  const tag = sshFingerprint(wire);
  return {
    wrapFileKey(fileKey) {
      const body = publicEncrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: LABEL },
        fileKey,
      );
      return [{ args: ['ssh-rsa', tag], body }];
    },
  };
}

/** The RSA fields of an OpenSSH private section (after the key type) as a Node key. */
export function sshRsaIdentity(wire: Buffer, secret: Buffer, offset: number): Identity {
  const fields: Buffer[] = [];
  let at = offset;
  for (let i = 0; i < 6; i++) {
    const [value, next] = readSshString(secret, at);
    fields.push(value);
    at = next;
  }
  const [n, e, d, iqmp, p, q] = fields as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  const dBig = toBigInt(d);
  const key: KeyObject = createPrivateKey({
    key: {
      kty: 'RSA',
      n: unsigned(n),
      e: unsigned(e),
      d: unsigned(d),
      p: unsigned(p),
      q: unsigned(q),
      dp: fromBigInt(dBig % (toBigInt(p) - 1n)),
      dq: fromBigInt(dBig % (toBigInt(q) - 1n)),
      qi: unsigned(iqmp),
    },
    format: 'jwk',
  });
  const tag = sshFingerprint(wire);
  return {
    unwrapFileKey(stanzas) {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== 'ssh-rsa' || stanza.args[1] !== tag || stanza.args.length !== 2)
          continue;
        return privateDecrypt(
          { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: LABEL },
          stanza.body,
        );
      }
      return null;
    },
  };
}
