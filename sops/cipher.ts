import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { startupSnapshot } from 'node:v8';
import { SopsError } from './errors.ts';
import { formatFloatF, parseGoBool, parseGoFloat, parseGoInt } from './go-format.ts';
import type { Comment, Scalar } from './tree.ts';

/** A data key; pass a KeyObject (see {@link dataKeyObject}) when encrypting many values. */
export type DataKey = Uint8Array | KeyObject;

/** Wraps the data key once: Node re-validates a raw key on every cipher it creates. */
export function dataKeyObject(key: Uint8Array): KeyObject {
  return createSecretKey(key);
}

/** The `type:` tags sops writes into an envelope. */
export type EnvelopeType = 'str' | 'int' | 'float' | 'bool' | 'time' | 'comment' | 'bytes';

export interface Envelope {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}

// sops's reference parser is /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/ with
// greedy groups; searching the labels from the right gives the same split without the
// regex's backtracking on multi-megabyte values.
const PREFIX = 'ENC[AES256_GCM,data:';

function splitEnvelope(text: string): [string, string, string, string] | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const end = text.lastIndexOf(']');
  const type = text.lastIndexOf(',type:', end);
  const tag = text.lastIndexOf(',tag:', type - 1);
  const iv = text.lastIndexOf(',iv:', tag - 1);
  if (
    end === -1 ||
    type === -1 ||
    tag === -1 ||
    iv < PREFIX.length + 1 ||
    tag <= iv + 4 ||
    type <= tag + 5 ||
    end <= type + 6
  )
    return undefined;
  return [
    text.slice(PREFIX.length, iv),
    text.slice(iv + 4, tag),
    text.slice(tag + 5, type),
    text.slice(type + 6, end),
  ];
}

// Node's decoder skips characters outside the alphabet; a length check catches them without
// a per-character regex over multi-megabyte values.
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

export function isEnvelope(text: string): boolean {
  return splitEnvelope(text) !== undefined;
}

/** Parses `ENC[AES256_GCM,…]`; undefined when the text is not a well-formed envelope. */
export function parseEnvelope(text: string): Envelope | undefined {
  const parts = splitEnvelope(text);
  if (!parts) return undefined;
  const data = decodeBase64(parts[0]);
  const iv = decodeBase64(parts[1]);
  const tag = decodeBase64(parts[2]);
  if (!data || !iv || !tag || iv.length === 0 || tag.length !== 16) return undefined;
  return { data, iv, tag, type: parts[3] };
}

/** The plaintext bytes sops encrypts and hashes for a scalar (Go's text forms). */
export function scalarBytes(value: Scalar | Comment): Uint8Array {
  switch (value.type) {
    case 'str':
      return value.bytes ?? Buffer.from(value.value, 'utf8');
    case 'int':
      return Buffer.from(value.value.toString(), 'ascii');
    case 'float':
      return Buffer.from(formatFloatF(value.value), 'ascii');
    case 'bool':
      return Buffer.from(value.value ? 'True' : 'False', 'ascii');
    case 'time':
      return Buffer.from(value.value, 'ascii');
    case 'comment':
      return Buffer.from(value.value, 'utf8');
    case 'null':
      return new Uint8Array(0);
  }
}

function envelopeType(value: Scalar | Comment): EnvelopeType {
  return value.type === 'null' ? 'str' : value.type;
}

export function seal(
  plaintext: Uint8Array,
  key: DataKey,
  aad: string,
  iv: Uint8Array,
  type: string,
): string {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${Buffer.from(iv).toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
}

/** Opens an envelope; throws a plain Error (callers add the file and key path). */
export function open(envelope: Envelope, key: DataKey, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(envelope.tag);
  return Buffer.concat([decipher.update(envelope.data), decipher.final()]);
}

// One large random read serves many IVs: a syscall per value dominated encryption time.
// The pool is filled on first use in each process, never at module load, and not at all
// while a V8 startup snapshot is being built: a pool in the snapshot would hand the same IVs
// to every process started from it (GCM with a repeated IV leaks the plaintext).
const IV_POOL_SIZE = 32 * 1024;
let ivPool = Buffer.alloc(0);
let ivOffset = IV_POOL_SIZE;

/** A fresh random 32-byte IV (each one used once). */
export function newIv(): Buffer {
  if (startupSnapshot.isBuildingSnapshot()) return randomBytes(32);
  if (ivOffset + 32 > ivPool.length) {
    ivPool = randomBytes(IV_POOL_SIZE);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + 32));
  ivOffset += 32;
  return iv;
}

/**
 * Encrypts one scalar or comment as sops does. Empty values stay the empty string, as sops
 * never encrypts them. `iv` lets a re-encryption keep an unchanged value's envelope.
 */
export function encryptScalar(
  value: Scalar | Comment,
  key: DataKey,
  aad: string,
  iv: Uint8Array = newIv(),
): string {
  const bytes = scalarBytes(value);
  if (bytes.length === 0) return '';
  return seal(bytes, key, aad, iv, envelopeType(value));
}

/** Turns decrypted bytes back into a typed value according to the envelope's type tag. */
export function scalarFromBytes(bytes: Buffer, type: string): Scalar | Comment | undefined {
  const text = bytes.toString('utf8');
  switch (type) {
    case 'str':
      return Buffer.from(text, 'utf8').equals(bytes)
        ? { type: 'str', value: text }
        : { type: 'str', value: text, bytes };
    case 'bytes':
      return { type: 'str', value: text, bytes };
    case 'comment':
      return { type: 'comment', value: text, inline: false };
    case 'int': {
      const value = parseGoInt(text);
      return value === undefined ? undefined : { type: 'int', value };
    }
    case 'float': {
      const value = parseGoFloat(text);
      return value === undefined ? undefined : { type: 'float', value };
    }
    case 'bool': {
      const value = parseGoBool(text);
      return value === undefined ? undefined : { type: 'bool', value };
    }
    case 'time':
      return Number.isNaN(Date.parse(text)) ? undefined : { type: 'time', value: text };
    default:
      return undefined;
  }
}

/** Decrypts one `ENC[…]` string to its typed value; errors never include the plaintext. */
export function decryptScalar(text: string, key: DataKey, aad: string): Scalar | Comment {
  if (text === '') return { type: 'str', value: '' };
  const envelope = parseEnvelope(text);
  if (!envelope)
    throw new SopsError(
      'ValueDecryptionFailed',
      'value is not a valid sops ENC[AES256_GCM,…] string',
    );
  let bytes: Buffer;
  try {
    bytes = open(envelope, key, aad);
  } catch {
    throw new SopsError(
      'ValueDecryptionFailed',
      'could not decrypt value (authentication failed: wrong key, or the value was changed or moved)',
    );
  }
  const value = scalarFromBytes(bytes, envelope.type);
  if (!value)
    throw new SopsError(
      'ValueDecryptionFailed',
      `could not decode decrypted value of type "${envelope.type}"`,
    );
  return value;
}
