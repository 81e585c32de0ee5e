import { createHash, randomBytes } from 'node:crypto';
import {
  ageHkdf,
  encodeBase64NoPad,
  type Identity,
  openFileKey,
  type Recipient,
  sealFileKey,
} from './age-format.ts';
import {
  sshFingerprint as fingerprint,
  readSshString as readString,
  sshRsaIdentity,
} from './age-ssh-rsa.ts';
import { x25519 } from './age-x25519.ts';

// age's ssh-ed25519 recipient type (age-encryption.org/v1/ssh-ed25519): X25519 on the Montgomery form of the Ed25519
// key, tweaked with a key derived from the SSH public key.
const LABEL = 'age-encryption.org/v1/ssh-ed25519';
const P = 2n ** 255n - 19n;

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** Ed25519 public key → X25519 public key: u = (1 + y) / (1 − y) mod p. */
function edwardsToMontgomery(pub: Uint8Array): Buffer {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(pub[i] ?? 0);
  y &= (1n << 255n) - 1n;
  const u = ((1n + y) * modPow((1n - y + P) % P, P - 2n)) % P;
  const out = Buffer.alloc(32);
  let v = u;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const BASEPOINT = Buffer.concat([Buffer.from([9]), Buffer.alloc(31)]);

function hkdf(ikm: Uint8Array, salt: Uint8Array): Buffer {
  return ageHkdf(ikm, salt, LABEL);
}

/** Parses `ssh-ed25519 AAAA… comment` into its wire form and raw key. */
export function parseSshEd25519Recipient(line: string): { wire: Buffer; key: Buffer } {
  const [type, data] = line.trim().split(/\s+/);
  if (type !== 'ssh-ed25519' || !data) throw new Error('not an ssh-ed25519 public key');
  const wire = Buffer.from(data, 'base64');
  const [name, next] = readString(wire, 0);
  const [key] = readString(wire, next);
  if (name.toString() !== 'ssh-ed25519' || key.length !== 32)
    throw new Error('malformed ssh-ed25519 public key');
  return { wire, key };
}

export function sshEd25519Recipient(line: string): Recipient {
  const { wire, key } = parseSshEd25519Recipient(line);
  const theirs = edwardsToMontgomery(key);
  return {
    wrapFileKey(fileKey) {
      const ephemeral = randomBytes(32);
      const share = x25519(ephemeral, BASEPOINT);
      const shared = x25519(hkdf(new Uint8Array(0), wire), x25519(ephemeral, theirs));
      const wrapping = hkdf(shared, Buffer.concat([share, theirs]));
      return [
        {
          args: ['ssh-ed25519', fingerprint(wire), encodeBase64NoPad(share)],
          body: sealFileKey(wrapping, fileKey),
        },
      ];
    },
  };
}

/** Reads an unencrypted OpenSSH private key (ed25519 or RSA, `-----BEGIN OPENSSH PRIVATE KEY-----`). */
export function sshEd25519Identity(pem: string): Identity {
  const body = pem.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(body, 'base64');
  const magic = 'openssh-key-v1\0';
  if (buf.subarray(0, magic.length).toString('latin1') !== magic)
    throw new Error('not an OpenSSH private key');
  const [cipher, o1] = readString(buf, magic.length);
  if (cipher.toString() !== 'none')
    throw new Error('passphrase-protected SSH keys are not supported');
  const [, o2] = readString(buf, o1);
  const [, o3] = readString(buf, o2);
  // o3 + 4 skips the key count (always 1).
  const [wire, o4] = readString(buf, o3 + 4);
  const [secret] = readString(buf, o4);
  // Skip the two check integers that start the private section.
  const [keyType, q1] = readString(secret, 8);
  if (keyType.toString() === 'ssh-rsa') return sshRsaIdentity(wire, secret, q1);
  if (keyType.toString() !== 'ssh-ed25519')
    throw new Error(`unsupported SSH key type ${keyType.toString()}`);
  const [pub, q2] = readString(secret, q1);
  const [priv] = readString(secret, q2);
  const scalar = createHash('sha512').update(priv.subarray(0, 32)).digest().subarray(0, 32);
  const ours = edwardsToMontgomery(pub);
  const tag = fingerprint(wire);
  return {
    unwrapFileKey(stanzas) {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== 'ssh-ed25519' || stanza.args[1] !== tag || stanza.args.length !== 3)
          continue;
        const share = Buffer.from(stanza.args[2] ?? '', 'base64');
        const shared = x25519(hkdf(new Uint8Array(0), wire), x25519(scalar, share));
        const wrapping = hkdf(shared, Buffer.concat([share, ours]));
        return openFileKey(wrapping, stanza.body);
      }
      return null;
    },
  };
}
