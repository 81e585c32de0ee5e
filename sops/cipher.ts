import { isUtf8 } from 'node:buffer';
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

export function isEnvelope(text: string): boolean {
  return splitEnvelope(text) !== undefined;
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

/** Encrypts `plaintext` (bytes, or text as UTF-8) into an `ENC[…]` string. */
export function seal(
  plaintext: Uint8Array | string,
  key: DataKey,
  aad: string,
  iv: Uint8Array,
  type: string,
): string {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadScratch.view(aadScratch.write(aad, aad.length * 3, 'utf8')));
  let data =
    typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  // GCM's final() only computes the tag: no copy for its empty output.
  const rest = cipher.final();
  if (rest.length > 0) data = Buffer.concat([data, rest]);
  const tag = cipher.getAuthTag();
  const ivText = Buffer.from(iv.buffer, iv.byteOffset, iv.byteLength).toString('base64');
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${ivText},tag:${tag.toString('base64')},type:${type}]`;
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
  // A view: a used-up pool is replaced, never overwritten.
  const iv = ivPool.subarray(ivOffset, ivOffset + 32);
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
  // Text goes to the cipher as it is: no Buffer of its UTF-8 bytes first.
  if ((value.type === 'str' && value.bytes === undefined) || value.type === 'comment')
    return value.value === '' ? '' : seal(value.value, key, aad, iv, value.type);
  const bytes = scalarBytes(value);
  if (bytes.length === 0) return '';
  return seal(bytes, key, aad, iv, envelopeType(value));
}

/** Turns decrypted bytes back into a typed value according to the envelope's type tag. */
export function scalarFromBytes(bytes: Buffer, type: string): Scalar | Comment | undefined {
  const text = bytes.toString('utf8');
  switch (type) {
    case 'str':
      // Invalid UTF-8 always decodes to U+FFFD: without one, no validation is needed.
      return !text.includes('\uFFFD') || isUtf8(bytes)
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

/**
 * A reused buffer for an envelope's IV, tag or AAD, handed to the decipher as views cached by
 * length: four new Buffers per value were much of a large file's garbage. The decipher copies
 * each of them before the next value overwrites the bytes.
 */
class Scratch {
  private bytes = Buffer.allocUnsafe(64);
  private views: Buffer[] = [];

  /** Writes `text` in `encoding`; the byte count (`size` bounds it). */
  write(text: string, size: number, encoding: 'base64' | 'utf8'): number {
    if (this.bytes.length < size) {
      this.bytes = Buffer.allocUnsafe(Math.max(size, this.bytes.length * 2));
      this.views = [];
    }
    return this.bytes.write(text, 0, encoding);
  }

  /** The first `length` bytes written. */
  view(length: number): Buffer {
    let view = this.views[length];
    if (view === undefined) {
      view = this.bytes.subarray(0, length);
      this.views[length] = view;
    }
    return view;
  }
}

const ivScratch = new Scratch();
const tagScratch = new Scratch();
const aadScratch = new Scratch();

/**
 * The length base64 `text` decodes to, or -1 when it is not base64: Node's decoder skips
 * characters outside the alphabet, which a length check catches without a per-character regex
 * over multi-megabyte values.
 */
function base64Length(text: string): number {
  if (text.length % 4 !== 0) return -1;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/** Decodes base64 into `scratch`; its length, or -1 when it is not base64. */
function decodeInto(scratch: Scratch, text: string): number {
  const length = base64Length(text);
  return length >= 0 && scratch.write(text, text.length, 'base64') === length ? length : -1;
}

function malformed(): SopsError {
  return new SopsError(
    'ValueDecryptionFailed',
    'value is not a valid sops ENC[AES256_GCM,…] string',
  );
}

/** Decrypts one `ENC[…]` string to its typed value; errors never include the plaintext. */
export function decryptScalar(text: string, key: DataKey, aad: string): Scalar | Comment {
  if (text === '') return { type: 'str', value: '' };
  const parts = splitEnvelope(text);
  if (!parts) throw malformed();
  const [data, iv, tag, type] = parts;
  const dataLength = base64Length(data);
  const ivLength = dataLength >= 0 ? decodeInto(ivScratch, iv) : -1;
  if (ivLength <= 0 || decodeInto(tagScratch, tag) !== 16) throw malformed();
  const aadLength = aadScratch.write(aad, aad.length * 3, 'utf8');
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivScratch.view(ivLength));
    decipher.setAAD(aadScratch.view(aadLength));
    decipher.setAuthTag(tagScratch.view(16));
    // The data is decoded by the decipher itself; GCM gives out as many bytes as it takes in,
    // so a short output is data that was not base64.
    plaintext = decipher.update(data, 'base64');
    if (plaintext.length !== dataLength) throw malformed();
    // GCM's final() only checks the tag: no copy for its empty output.
    const rest = decipher.final();
    if (rest.length > 0) plaintext = Buffer.concat([plaintext, rest]);
  } catch (error) {
    if (error instanceof SopsError) throw error;
    throw new SopsError(
      'ValueDecryptionFailed',
      'could not decrypt value (authentication failed: wrong key, or the value was changed or moved)',
    );
  }
  const value = scalarFromBytes(plaintext, type);
  if (!value)
    throw new SopsError(
      'ValueDecryptionFailed',
      `could not decode decrypted value of type "${type}"`,
    );
  return value;
}
