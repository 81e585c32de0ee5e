import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

// The age v1 file format (age-encryption.org/v1) on Node's built-in crypto, so that the common
// recipient types need no JavaScript crypto library: loading `age-encryption` (noble curves and
// post-quantum code) costs more than a whole sops decryption in a one-shot CLI run.

/** One recipient stanza of an age header: `-> type args…` and its wrapped file key. */
export interface Stanza {
  readonly args: string[];
  readonly body: Uint8Array;
}

/** Unwraps the file key from the stanzas it can read; null when none is for it. */
export interface Identity {
  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null;
}

/** Wraps a file key into the stanzas of one recipient. */
export interface Recipient {
  wrapFileKey(fileKey: Uint8Array): Stanza[];
}

/** An age file split into its header parts and the encrypted payload. */
export interface AgeFile {
  stanzas: Stanza[];
  /** The header up to and including `---`, which the MAC covers. */
  headerNoMac: Buffer;
  mac: Buffer;
  payload: Buffer;
}

const VERSION_LINE = 'age-encryption.org/v1';
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
const CHUNK = 64 * 1024;
const TAG = 16;

/** Base64 without padding, as age writes stanza arguments, bodies and the MAC. */
export function encodeBase64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

function decodeBase64NoPad(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1)
    throw new Error('invalid base64 in the age header');
  return Buffer.from(text, 'base64');
}

/** HKDF-SHA-256 with age's labels, 32 bytes out. */
export function ageHkdf(ikm: Uint8Array, salt: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, label, 32));
}

/** ChaCha20-Poly1305 with a zero nonce, as age wraps file keys in stanza bodies. */
export function sealFileKey(key: Uint8Array, fileKey: Uint8Array): Buffer {
  return chachaSeal(key, Buffer.alloc(12), fileKey);
}

/** Opens a stanza body sealed by {@link sealFileKey}; throws when it is not authentic. */
export function openFileKey(key: Uint8Array, body: Uint8Array): Buffer {
  return chachaOpen(key, Buffer.alloc(12), body);
}

function chachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer {
  const body = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (body.length < TAG) throw new Error('truncated ciphertext');
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  decipher.setAuthTag(body.subarray(body.length - TAG));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG)), decipher.final()]);
}

/** Decodes age's ASCII armor (a strict PEM subset: 64-column lines, CRLF tolerated). */
export function decodeArmor(text: string): Buffer {
  const lines = text.trim().replaceAll('\r\n', '\n').split('\n');
  if (lines.shift() !== ARMOR_BEGIN || lines.pop() !== ARMOR_END)
    throw new Error('not an armored age file');
  const valid = lines.every((line, i) =>
    i === lines.length - 1
      ? line.length > 0 && line.length <= 64 && line.length % 4 === 0
      : line.length === 64,
  );
  if (!valid || !lines.every((line) => /^[A-Za-z0-9+/=]+$/.test(line)))
    throw new Error('not an armored age file');
  return Buffer.from(lines.join(''), 'base64');
}

/** Encodes an age file in ASCII armor, with a final newline (as age and sops write it). */
export function encodeArmor(file: Uint8Array): string {
  const lines = [ARMOR_BEGIN];
  for (let i = 0; i < file.length; i += 48)
    lines.push(Buffer.from(file.subarray(i, i + 48)).toString('base64'));
  lines.push(ARMOR_END, '');
  return lines.join('\n');
}

/** Splits a binary age file into stanzas, header, MAC and payload; throws on a bad header. */
export function parseAgeFile(file: Buffer): AgeFile {
  let at = 0;
  const readLine = (): string => {
    const end = file.indexOf(0x0a, at);
    if (end < 0) throw new Error('truncated age header');
    const line = file.subarray(at, end).toString('latin1');
    at = end + 1;
    return line;
  };
  if (readLine() !== VERSION_LINE) throw new Error('not an age v1 file');
  const stanzas: Stanza[] = [];
  for (;;) {
    const lineStart = at;
    const line = readLine();
    if (line.startsWith('--- ')) {
      return {
        stanzas,
        headerNoMac: file.subarray(0, lineStart + 3),
        mac: decodeBase64NoPad(line.slice(4)),
        payload: file.subarray(at),
      };
    }
    const args = line.split(' ');
    if (args.shift() !== '->' || args.length === 0 || args.some((arg) => arg === ''))
      throw new Error('invalid age stanza');
    const body: Buffer[] = [];
    for (;;) {
      const chunk = decodeBase64NoPad(readLine());
      if (chunk.length > 48) throw new Error('invalid age stanza');
      body.push(chunk);
      if (chunk.length < 48) break;
    }
    stanzas.push({ args, body: Buffer.concat(body) });
  }
}

function headerMac(fileKey: Uint8Array, headerNoMac: Uint8Array): Buffer {
  const key = ageHkdf(fileKey, new Uint8Array(0), 'header');
  return createHmac('sha256', key).update(headerNoMac).digest();
}

function streamNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Verifies the header MAC with the file key and decrypts the STREAM payload. */
export function decryptAgePayload(file: AgeFile, fileKey: Uint8Array): Buffer {
  const mac = headerMac(fileKey, file.headerNoMac);
  if (file.mac.length !== mac.length || !timingSafeEqual(file.mac, mac))
    throw new Error('age header MAC mismatch');
  if (file.payload.length < 16 + TAG) throw new Error('truncated age payload');
  const key = ageHkdf(fileKey, file.payload.subarray(0, 16), 'payload');
  const body = file.payload.subarray(16);
  const out: Buffer[] = [];
  for (let counter = 0, at = 0; at < body.length; counter++, at += CHUNK + TAG) {
    const chunk = body.subarray(at, at + CHUNK + TAG);
    const last = at + CHUNK + TAG >= body.length;
    // Only an empty file may end in an empty chunk (age's rule against truncation tricks).
    if (last && chunk.length === TAG && counter > 0) throw new Error('invalid age payload');
    out.push(chachaOpen(key, streamNonce(counter, last), chunk));
  }
  return Buffer.concat(out);
}

function encodeHeaderNoMac(stanzas: readonly Stanza[]): Buffer {
  const lines = [VERSION_LINE];
  for (const stanza of stanzas) {
    lines.push(`-> ${stanza.args.join(' ')}`);
    for (let i = 0; i < stanza.body.length; i += 48)
      lines.push(encodeBase64NoPad(stanza.body.subarray(i, i + 48)));
    if (stanza.body.length % 48 === 0) lines.push('');
  }
  lines.push('---');
  return Buffer.from(lines.join('\n'), 'latin1');
}

/** Encrypts `plaintext` to the recipients as a binary age v1 file. */
export function encryptAgeFile(recipients: readonly Recipient[], plaintext: Uint8Array): Buffer {
  const fileKey = randomBytes(16);
  const headerNoMac = encodeHeaderNoMac(recipients.flatMap((r) => r.wrapFileKey(fileKey)));
  const mac = encodeBase64NoPad(headerMac(fileKey, headerNoMac));
  const nonce = randomBytes(16);
  const key = ageHkdf(fileKey, nonce, 'payload');
  const parts: Buffer[] = [headerNoMac, Buffer.from(` ${mac}\n`, 'latin1'), nonce];
  const chunks = Math.max(1, Math.ceil(plaintext.length / CHUNK));
  for (let counter = 0; counter < chunks; counter++) {
    const chunk = plaintext.subarray(counter * CHUNK, (counter + 1) * CHUNK);
    parts.push(chachaSeal(key, streamNonce(counter, counter === chunks - 1), chunk));
  }
  return Buffer.concat(parts);
}
