import { hostname } from 'node:os';
import type { KMSClient } from '@aws-sdk/client-kms';
import { parse } from 'yaml';
import type { KeyEntry } from '../metadata.ts';
import { type KeySource, nowRfc3339 } from './key-source.ts';

// The SDK is large; only files with a kms entry (or a --kms recipient) load it.
const loadKms = () => import('@aws-sdk/client-kms');
const loadSts = () => import('@aws-sdk/client-sts');

/** Static AWS credentials (an access key, optionally temporary with a session token). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; the SDK refreshes a provider's result then. */
  expiration?: Date;
}

/** One AWS KMS master key as sops describes it. */
export interface AwsKmsKey {
  arn: string;
  /** IAM role assumed (STS AssumeRole) before calling KMS. */
  role?: string;
  /** KMS encryption context (authenticated data); stored in the entry as `context`. */
  context?: Readonly<Record<string, string>>;
  /** Named profile of the shared AWS config (`aws_profile`). */
  awsProfile?: string;
}

export interface AwsKmsKeySourceOptions {
  /**
   * Credentials for every call (a value or a provider the SDK calls when it needs them).
   * Undefined: the SDK's default chain (environment, shared config with the entry's
   * `aws_profile`, web identity, container and instance metadata), as the sops CLI does.
   */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>) | undefined;
  /** KMS endpoint override (e.g. local-kms); default: the SDK's endpoint for the ARN's region. */
  endpoint?: string | undefined;
  /** STS endpoint override for `role`. */
  stsEndpoint?: string | undefined;
  /** Budget for one wrap or unwrap, retries and role assumption included; default 30 s. */
  timeoutMs?: number;
  /** SDK attempts per request (standard retry mode, exponential backoff); default 3. */
  maxAttempts?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ATTEMPTS = 3;
const ARN = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;

// Context keys and values may hold the separators of the recipient string; escape them.
const escapePart = (s: string) => s.replace(/[%,:|]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
const unescapePart = (s: string) =>
  s.replace(/%([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));

/**
 * The recipient string for a key: sops' own key string, `arn[+role][|k:v,…[|profile]]`
 * (context sorted by key). It is what `.sops.yaml`-derived recipients, `rotate --rm-kms` and
 * `updatekeys` compare.
 */
export function formatAwsKmsRecipient(key: AwsKmsKey): string {
  const arnRole = key.role ? `${key.arn}+${key.role}` : key.arn;
  const context = Object.keys(key.context ?? {})
    .sort()
    .map((k) => `${escapePart(k)}:${escapePart(key.context?.[k] ?? '')}`)
    .join(',');
  if (key.awsProfile) return `${arnRole}|${context}|${key.awsProfile}`;
  return context ? `${arnRole}|${context}` : arnRole;
}

/** Parses `arn[+role][|context[|profile]]` (sops' `--kms` form plus the key string suffixes). */
export function parseAwsKmsRecipient(text: string): AwsKmsKey {
  const [arnRole = '', context = '', profile = ''] = text.replaceAll(' ', '').split('|');
  const roleAt = arnRole.indexOf('+arn:');
  const key: AwsKmsKey = { arn: roleAt > 0 ? arnRole.slice(0, roleAt) : arnRole };
  if (roleAt > 0) key.role = arnRole.slice(roleAt + 1);
  if (context) {
    const pairs = context.split(',').map((kv) => kv.split(':'));
    if (pairs.some((kv) => kv.length !== 2))
      throw new Error(`AWS KMS key ${key.arn}: the encryption context must be k:v,k:v`);
    key.context = Object.fromEntries(
      pairs.map(([k, v]) => [unescapePart(k ?? ''), unescapePart(v ?? '')]),
    );
  }
  if (profile) key.awsProfile = profile;
  return key;
}

/** The key an entry in the metadata names. */
export function awsKmsKeyFromEntry(entry: KeyEntry): AwsKmsKey {
  const f = entry.fields;
  const key: AwsKmsKey = { arn: typeof f.arn === 'string' ? f.arn : '' };
  if (typeof f.role === 'string' && f.role) key.role = f.role;
  if (f.context && typeof f.context === 'object') key.context = f.context;
  if (typeof f.aws_profile === 'string' && f.aws_profile) key.awsProfile = f.aws_profile;
  return key;
}

/**
 * Reads a Flux decryption Secret's `sops.aws-kms` entry: YAML with `aws_access_key_id`,
 * `aws_secret_access_key` and optionally `aws_session_token`.
 */
export function parseAwsKmsSecretEntry(value: Uint8Array): AwsCredentials {
  let doc: unknown;
  try {
    doc = parse(Buffer.from(value).toString('utf8'));
  } catch {
    throw new Error('decryption Secret entry "sops.aws-kms" is not valid YAML');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(
      'decryption Secret entry "sops.aws-kms" must be a mapping with aws_access_key_id and aws_secret_access_key',
    );
  const fields = doc as Record<string, unknown>;
  const text = (name: string) => {
    const v = fields[name];
    if (v !== undefined && v !== null && typeof v !== 'string')
      throw new Error(`decryption Secret entry "sops.aws-kms": ${name} must be a string`);
    return typeof v === 'string' ? v.trim() : '';
  };
  const accessKeyId = text('aws_access_key_id');
  const secretAccessKey = text('aws_secret_access_key');
  const sessionToken = text('aws_session_token');
  const missing = [
    ...(accessKeyId ? [] : ['aws_access_key_id']),
    ...(secretAccessKey ? [] : ['aws_secret_access_key']),
  ];
  if (missing.length > 0)
    throw new Error(`decryption Secret entry "sops.aws-kms" lacks ${missing.join(' and ')}`);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** sops' STS session name: `sops@<hostname>` without disallowed characters, at most 64. */
export function stsSessionName(host: string = hostname()): string {
  // sops' character class has `@-_`, a range that also keeps A–Z, [, \, ], ^; match it.
  return `sops@${host.replace(/[^a-zA-Z0-9=,.@-_]+/g, '')}`.slice(0, 64);
}

function regionOf(arn: string): string {
  const region = ARN.exec(arn)?.[1];
  if (!region) throw new Error(`"${arn}" is not a KMS key or alias ARN`);
  return region;
}

function secretsOf(credentials: AwsKmsKeySourceOptions['credentials']): string[] {
  if (!credentials || typeof credentials === 'function') return [];
  return [credentials.secretAccessKey, credentials.sessionToken ?? ''].filter((s) => s !== '');
}

/** Why an SDK call failed, in words that name no credential or key material. */
function reasonOf(error: unknown, timedOut: boolean, timeoutMs: number, redact: string[]): string {
  if (timedOut) return `no answer within ${timeoutMs / 1000}s`;
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  const attempts = e.$metadata?.attempts ?? 0;
  const network = e.code ?? (/ECONN\w+|ENOTFOUND|EAI_AGAIN/.exec(e.message ?? '')?.[0] || '');
  let text = network
    ? `could not connect (${network})`
    : `${e.name ?? 'Error'}: ${(e.message ?? '').slice(0, 300)}`;
  if (attempts > 1) text += ` (${attempts} attempts)`;
  for (const secret of redact) text = text.replaceAll(secret, '<redacted>');
  return text;
}

/**
 * AWS KMS key source (`kms`) on `@aws-sdk/client-kms` (loaded on first use): the data key is
 * encrypted with the entry's ARN and encryption context, optionally after assuming its `role`
 * through STS, with the region taken from the ARN, as sops does. Recipients are sops'
 * key strings (see `formatAwsKmsRecipient`). Errors name the ARN, never a credential.
 */
export function awsKmsKeySource(options: AwsKmsKeySourceOptions = {}): KeySource {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_ATTEMPTS);
  const clients = new Map<string, Promise<KMSClient>>();
  const requestHandler = {
    connectionTimeout: Math.min(timeoutMs, 10_000),
    requestTimeout: timeoutMs,
  };

  async function assumeRole(key: AwsKmsKey, region: string): Promise<AwsCredentials> {
    const signal = AbortSignal.timeout(timeoutMs);
    const { STSClient, AssumeRoleCommand } = await loadSts();
    const sts = new STSClient({
      region,
      maxAttempts,
      requestHandler,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(key.awsProfile ? { profile: key.awsProfile } : {}),
      ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
    });
    try {
      const out = await sts.send(
        new AssumeRoleCommand({ RoleArn: key.role, RoleSessionName: stsSessionName() }),
        { abortSignal: signal },
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new Error('STS AssumeRole returned no credentials');
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
    } catch (error) {
      const reason = reasonOf(error, signal.aborted, timeoutMs, secretsOf(options.credentials));
      throw new Error(`could not assume role ${key.role}: ${reason}`);
    } finally {
      sts.destroy();
    }
  }

  async function client(key: AwsKmsKey): Promise<KMSClient> {
    const region = regionOf(key.arn);
    const id = JSON.stringify([region, key.role ?? '', key.awsProfile ?? '']);
    let cached = clients.get(id);
    if (!cached) {
      cached = loadKms().then(({ KMSClient }) => {
        // A role is assumed when the SDK first needs credentials, and again when they expire.
        const credentials = key.role ? () => assumeRole(key, region) : options.credentials;
        return new KMSClient({
          region,
          maxAttempts,
          requestHandler,
          ...(credentials ? { credentials } : {}),
          ...(key.awsProfile && !key.role ? { profile: key.awsProfile } : {}),
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        });
      });
      clients.set(id, cached);
    }
    return cached;
  }

  async function withKms<T>(
    key: AwsKmsKey,
    operation: 'encrypt' | 'decrypt',
    run: (kms: KMSClient, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await run(await client(key), signal);
    } catch (error) {
      const reason =
        error instanceof Error && error.message.startsWith('could not assume role')
          ? error.message
          : reasonOf(error, signal.aborted, timeoutMs, secretsOf(options.credentials));
      throw new Error(`AWS KMS ${operation} with ${key.arn}: ${reason}`);
    }
  }

  return {
    type: 'kms',
    async unwrap(entry: KeyEntry): Promise<Uint8Array> {
      const key = awsKmsKeyFromEntry(entry);
      if (!key.arn) throw new Error('the kms entry has no arn');
      regionOf(key.arn);
      const { DecryptCommand } = await loadKms();
      const plaintext = await withKms(key, 'decrypt', async (kms, abortSignal) => {
        const out = await kms.send(
          new DecryptCommand({
            KeyId: key.arn,
            CiphertextBlob: Buffer.from(entry.enc, 'base64'),
            EncryptionContext: { ...key.context },
          }),
          { abortSignal },
        );
        return out.Plaintext;
      });
      if (!plaintext) throw new Error(`AWS KMS decrypt with ${key.arn}: no plaintext returned`);
      return plaintext;
    },
    async wrap(recipient: string, part: Uint8Array): Promise<KeyEntry> {
      const key = parseAwsKmsRecipient(recipient);
      regionOf(key.arn);
      const { EncryptCommand } = await loadKms();
      const blob = await withKms(key, 'encrypt', async (kms, abortSignal) => {
        const out = await kms.send(
          new EncryptCommand({
            KeyId: key.arn,
            Plaintext: part,
            EncryptionContext: { ...key.context },
          }),
          { abortSignal },
        );
        return out.CiphertextBlob;
      });
      if (!blob) throw new Error(`AWS KMS encrypt with ${key.arn}: no ciphertext returned`);
      // sops writes aws_profile always (empty when unset), role and context only when set.
      const fields: KeyEntry['fields'] = { arn: key.arn, aws_profile: key.awsProfile ?? '' };
      if (key.context && Object.keys(key.context).length > 0) fields.context = { ...key.context };
      fields.created_at = nowRfc3339();
      if (key.role) fields.role = key.role;
      return { type: 'kms', enc: Buffer.from(blob).toString('base64'), fields };
    },
  };
}
