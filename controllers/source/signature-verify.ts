import { execFile } from 'node:child_process';
import type * as OpenPgp from 'openpgp';

/** `spec.verify.mode`; Flux also accepts the legacy lower-case `head`. */
export type VerificationMode = 'HEAD' | 'Tag' | 'TagAndHEAD';

/** Flux's SourceVerified=False reasons. */
export type VerificationErrorCode =
  | 'InvalidCommitSignature'
  | 'InvalidTagSignature'
  /** A tag to verify is not signed. */
  | 'InvalidGitObject'
  /** Tag verification asked for, but the ref is not a tag. */
  | 'InvalidVerificationMode'
  /** The verify Secret holds no usable public key. */
  | 'VerificationError';

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
  readonly code: VerificationErrorCode;
  constructor(code: VerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A signed git object split into the signed bytes and the armored signature. */
export interface SignedPayload {
  readonly payload: Buffer;
  readonly signature?: string;
}

/**
 * Splits a raw commit: the signature is the `gpgsig` (or `gpgsig-sha256`) header, whose
 * continuation lines start with a space; the payload is the object without that header.
 */
export function splitCommitSignature(raw: Buffer): SignedPayload {
  const text = raw.toString('latin1');
  const headerEnd = text.indexOf('\n\n');
  const head = headerEnd >= 0 ? text.slice(0, headerEnd + 1) : text;
  const rest = headerEnd >= 0 ? text.slice(headerEnd + 1) : '';
  const kept: string[] = [];
  const signature: string[] = [];
  let inSignature = false;
  for (const line of head.split('\n').slice(0, -1)) {
    if (inSignature && line.startsWith(' ')) {
      signature.push(line.slice(1));
      continue;
    }
    inSignature = false;
    if (/^gpgsig(-sha256)? /.test(line) && signature.length === 0) {
      inSignature = true;
      signature.push(line.slice(line.indexOf(' ') + 1));
      continue;
    }
    kept.push(line);
  }
  const payload = Buffer.from(`${kept.join('\n')}\n${rest}`, 'latin1');
  return signature.length > 0 ? { payload, signature: `${signature.join('\n')}\n` } : { payload };
}

/** Splits a raw tag: the signature is appended to the message. */
export function splitTagSignature(raw: Buffer): SignedPayload {
  const text = raw.toString('latin1');
  const start = text.search(/^-----BEGIN PGP SIGNATURE-----/m);
  if (start < 0) return { payload: raw };
  return { payload: Buffer.from(text.slice(0, start), 'latin1'), signature: text.slice(start) };
}

/**
 * openpgp costs the controller about 20 MiB once loaded; only GitRepositories with
 * `spec.verify` need it, so it is loaded on the first verification.
 */
function loadOpenPgp(): Promise<typeof OpenPgp> {
  return import('openpgp');
}

/** Reads every armored public key in the verify Secret's values; unreadable values are skipped. */
export async function readPublicKeys(
  keyRings: readonly (string | Buffer | Uint8Array)[],
): Promise<OpenPgp.PublicKey[]> {
  const openpgp = await loadOpenPgp();
  const keys: OpenPgp.PublicKey[] = [];
  for (const ring of keyRings) {
    const armored = typeof ring === 'string' ? ring : Buffer.from(ring).toString('utf8');
    try {
      keys.push(...(await openpgp.readKeys({ armoredKeys: armored })));
    } catch {
      // A Secret may hold other data beside keys; Flux also tries every value.
    }
  }
  return keys;
}

/** Verifies a detached signature over `payload`; returns the id of the key that made it. */
export async function verifyDetached(
  payload: Buffer,
  armoredSignature: string,
  keys: readonly OpenPgp.PublicKey[],
): Promise<string> {
  const openpgp = await loadOpenPgp();
  const signature = await openpgp.readSignature({ armoredSignature });
  const message = await openpgp.createMessage({ binary: payload });
  const result = await openpgp.verify({
    message,
    signature,
    verificationKeys: [...keys],
    format: 'binary',
  });
  for (const sig of result.signatures) {
    try {
      await sig.verified;
      return sig.keyID.toHex().toUpperCase();
    } catch {
      // Try the next signature, if any.
    }
  }
  const ids = result.signatures.map((s) => s.keyID.toHex().toUpperCase()).join(', ');
  throw new Error(
    `no public key in the secret verifies the signature made by key ${ids || 'unknown'}`,
  );
}

/** Reads a raw object as bytes (signatures cover bytes, not decoded text). */
function readObject(
  dir: string,
  type: 'commit' | 'tag',
  rev: string,
  signal?: AbortSignal,
): Promise<Buffer> {
  // A HOME that does not exist: a checkout must never be able to supply git configuration.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    GIT_CONFIG_NOSYSTEM: '1',
    LC_ALL: 'C',
  };
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['cat-file', type, rev],
      {
        cwd: dir,
        env,
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        ...(signal ? { signal } : {}),
      },
      (error, stdout) =>
        error ? reject(new Error(`reading ${type} ${rev} failed`)) : resolve(stdout),
    );
  });
}

export interface VerifyOptions {
  /** The checkout's directory. */
  readonly dir: string;
  readonly commit: string;
  /** The tag ref checked out (`GitCheckout.tagRef`), needed by the Tag modes. */
  readonly tagRef?: string;
  readonly mode: VerificationMode | 'head';
  /** Values of the `verify.secretRef` Secret (armored public keys). */
  readonly keyRings: readonly (string | Buffer | Uint8Array)[];
  readonly signal?: AbortSignal;
}

/**
 * Verifies the tag and/or HEAD commit of a checkout with OpenPGP public keys, per Flux's verify
 * modes. Returns Flux's SourceVerified message; throws a `VerificationError` otherwise.
 */
export async function verifySignatures(options: VerifyOptions): Promise<string> {
  const mode = options.mode === 'head' ? 'HEAD' : options.mode;
  const keys = await readPublicKeys(options.keyRings);
  if (keys.length === 0)
    throw new VerificationError(
      'VerificationError',
      'the verification secret holds no readable OpenPGP public key',
    );
  const lines: string[] = [];
  if (mode === 'Tag' || mode === 'TagAndHEAD') {
    if (!options.tagRef) {
      throw new VerificationError(
        'InvalidVerificationMode',
        "cannot verify tag object's signature if a tag reference is not specified",
      );
    }
    const tagName = options.tagRef.replace(/^refs\/tags\//, '');
    const raw = await readObject(options.dir, 'tag', options.tagRef, options.signal).catch(
      () => undefined,
    );
    const split = raw ? splitTagSignature(raw) : undefined;
    if (!split?.signature) {
      throw new VerificationError(
        'InvalidGitObject',
        `cannot verify signature of tag '${tagName}' since it is not signed`,
      );
    }
    try {
      lines.push(
        `tag '${tagName}' with key '${await verifyDetached(split.payload, split.signature, keys)}'`,
      );
    } catch (error) {
      throw new VerificationError(
        'InvalidTagSignature',
        `signature verification of tag '${tagName}' failed: ${(error as Error).message}`,
      );
    }
  }
  if (mode === 'HEAD' || mode === 'TagAndHEAD') {
    const split = splitCommitSignature(
      await readObject(options.dir, 'commit', options.commit, options.signal),
    );
    if (!split.signature) {
      throw new VerificationError(
        'InvalidCommitSignature',
        `signature verification of commit '${options.commit}' failed: the commit is not signed`,
      );
    }
    try {
      lines.push(
        `commit '${options.commit}' with key '${await verifyDetached(split.payload, split.signature, keys)}'`,
      );
    } catch (error) {
      throw new VerificationError(
        'InvalidCommitSignature',
        `signature verification of commit '${options.commit}' failed: ${(error as Error).message}`,
      );
    }
  }
  return `verified signature of\n${lines.map((l) => `\t- ${l}`).join('\n')}`;
}
