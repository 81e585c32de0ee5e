import type { Agent } from 'node:http';
import type { TokenCredential } from '@azure/identity';
import { parse as parseYaml } from 'yaml';
import type { KeyEntry } from '../metadata.ts';
import { type KeySource, nowRfc3339 } from './key-source.ts';

/**
 * Credentials for Azure Key Vault, as Flux's `sops.azure-kv` Secret entry gives them (a
 * service principal with a secret or a certificate, or a user-assigned managed identity), or
 * a ready token credential (workload identity exchanged by the controller).
 */
export type AzureKvCredentials =
  | {
      kind: 'client-secret';
      tenantId: string;
      clientId: string;
      clientSecret: string;
      authorityHost?: string;
    }
  | {
      kind: 'client-certificate';
      tenantId: string;
      clientId: string;
      /** PEM with the certificate (chain) and its private key. */
      certificate: string;
      certificatePassword?: string;
      sendCertificateChain: boolean;
      authorityHost?: string;
    }
  | { kind: 'managed-identity'; clientId: string }
  | { kind: 'token-credential'; credential: TokenCredential };

/** Options of {@link azureKeyVaultKeySource}. */
export interface AzureKeyVaultKeySourceOptions {
  /** Undefined: `DefaultAzureCredential` (environment, workload identity, managed identity, az), as sops. */
  credentials?: AzureKvCredentials;
  /** Entra authority host (e.g. `https://login.microsoftonline.us`); wins over the credentials'. */
  authorityHost?: string;
  /** Deadline of one wrap or unwrap, token included; default 30 s. */
  timeoutMs?: number;
  /** Retries of a failed HTTP call (exponential backoff from `retryDelayMs`); default 3. */
  maxRetries?: number;
  retryDelayMs?: number;
  /** HTTP(S) agent for every request (a custom CA or proxy; the tests' local server). */
  agent?: Agent;
}

const ENTRY = 'sops.azure-kv';
// sops' NewMasterKeyFromURL: {vaultUrl}/keys/{name}[/{version}], https only.
const KEY_URL = /^(https:\/\/[^/]+)\/keys\/([^/]+)(?:\/([^/]*))?$/;
// sops encrypts with RSA-OAEP-256 through the Key Vault `encrypt`/`decrypt` operations
// (not wrapkey/unwrapkey: vault access policies grant those separately) and stores the
// result as unpadded base64url.
const ALGORITHM = 'RSA-OAEP-256';

/** The parts of an Azure Key Vault key URL, as sops' `--azure-kv` takes it. */
export function parseAzureKeyUrl(url: string): { vaultUrl: string; name: string; version: string } {
  const match = KEY_URL.exec(url.trim());
  if (!match?.[1] || !match[2])
    throw new Error(
      `azure_kv: "${url.trim()}" is not an Azure Key Vault key URL (https://<vault>/keys/<name>[/<version>])`,
    );
  return { vaultUrl: match[1], name: match[2], version: match[3] ?? '' };
}

function decodeText(value: Uint8Array): string {
  // Flux accepts the az CLI's files, which PowerShell writes as UTF-16 with a BOM.
  if (value[0] === 0xff && value[1] === 0xfe) return new TextDecoder('utf-16le').decode(value);
  if (value[0] === 0xfe && value[1] === 0xff) return new TextDecoder('utf-16be').decode(value);
  return new TextDecoder('utf-8', { fatal: true }).decode(value);
}

/**
 * Reads Flux's `sops.azure-kv` Secret entry (YAML or JSON): `tenantId` + `clientId` +
 * `clientSecret`; `tenantId` + `clientId` + `clientCertificate` (PEM, optional
 * `clientCertificatePassword`, `clientCertificateSendChain`); the az CLI's `appId` + `tenant`
 * + `password`; or a lone `clientId` (managed identity). `authorityHost` is optional. Field
 * names match case-insensitively, as Go's JSON decoding in Flux does. Errors never echo values.
 */
export function parseAzureKvSecretEntry(value: Uint8Array): AzureKvCredentials {
  let doc: unknown;
  try {
    doc = parseYaml(decodeText(value));
  } catch {
    throw new Error(`${ENTRY}: the entry is not valid UTF-8/UTF-16 YAML or JSON`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`${ENTRY}: the entry must be a YAML or JSON mapping of credential fields`);
  const fields = Object.entries(doc);
  const text = (name: string): string => {
    const found =
      fields.find(([key]) => key === name) ??
      fields.find(([key]) => key.toLowerCase() === name.toLowerCase());
    if (found === undefined || found[1] === null || found[1] === '') return '';
    if (typeof found[1] !== 'string') throw new Error(`${ENTRY}: field "${name}" must be a string`);
    return found[1];
  };
  const sendChainField = fields.find(
    ([key]) => key.toLowerCase() === 'clientcertificatesendchain',
  )?.[1];
  if (
    sendChainField !== undefined &&
    sendChainField !== null &&
    typeof sendChainField !== 'boolean'
  )
    throw new Error(`${ENTRY}: field "clientCertificateSendChain" must be true or false`);
  const authorityHost = text('authorityHost');
  const authority = authorityHost === '' ? {} : { authorityHost };
  const [tenantId, clientId] = [text('tenantId'), text('clientId')];
  if (tenantId !== '' && clientId !== '') {
    const clientSecret = text('clientSecret');
    if (clientSecret !== '')
      return { kind: 'client-secret', tenantId, clientId, clientSecret, ...authority };
    const certificate = text('clientCertificate');
    if (certificate !== '') {
      if (!certificate.includes('-----BEGIN '))
        throw new Error(
          `${ENTRY}: field "clientCertificate" must be PEM (certificate and private key); PKCS#12 is not supported`,
        );
      const password = text('clientCertificatePassword');
      return {
        kind: 'client-certificate',
        tenantId,
        clientId,
        certificate,
        ...(password === '' ? {} : { certificatePassword: password }),
        sendCertificateChain: sendChainField === true,
        ...authority,
      };
    }
  }
  const [appId, tenant, password] = [text('appId'), text('tenant'), text('password')];
  if (appId !== '' && tenant !== '' && password !== '')
    return {
      kind: 'client-secret',
      tenantId: tenant,
      clientId: appId,
      clientSecret: password,
      ...authority,
    };
  if (clientId !== '') return { kind: 'managed-identity', clientId };
  throw new Error(
    `${ENTRY}: requires a "clientId" field, "tenantId" + "clientId" + "clientSecret", "tenantId" + "clientId" + "clientCertificate", or "appId" + "tenant" + "password"`,
  );
}

function secretsOf(credentials: AzureKvCredentials | undefined): string[] {
  if (credentials?.kind === 'client-secret') return [credentials.clientSecret];
  if (credentials?.kind === 'client-certificate')
    return [credentials.certificate, credentials.certificatePassword ?? ''];
  return [];
}

/** An SDK error as one safe line: no credential, clipped (the SDK may quote response bodies). */
function reasonOf(error: unknown, secrets: readonly string[]): string {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secrets)
    if (secret.length >= 4) text = text.split(secret).join('[redacted]');
  text = text.replace(/(Bearer|access_token"?:?\s*"?)\s*[\w.~+/=-]{16,}/gi, '$1 [redacted]');
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

async function withDeadline<T>(
  ms: number,
  what: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`${what}: timed out after ${ms / 1000}s`));
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Clients {
  encrypt(
    keyId: string,
    data: Uint8Array,
    signal: AbortSignal,
  ): Promise<{ result: Uint8Array; keyId: string }>;
  decrypt(keyId: string, data: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
}

async function createClients(options: AzureKeyVaultKeySourceOptions): Promise<Clients> {
  const [identity, keys] = await Promise.all([
    import('@azure/identity'),
    import('@azure/keyvault-keys'),
  ]);
  const pipeline = {
    retryOptions: {
      maxRetries: options.maxRetries ?? 3,
      retryDelayInMs: options.retryDelayMs ?? 800,
      maxRetryDelayInMs: 8000,
    },
    ...(options.agent === undefined ? {} : { agent: options.agent }),
  };
  const creds = options.credentials;
  const authorityHost =
    options.authorityHost ??
    (creds?.kind === 'client-secret' || creds?.kind === 'client-certificate'
      ? creds.authorityHost
      : undefined);
  const tokenOptions = { ...pipeline, ...(authorityHost === undefined ? {} : { authorityHost }) };
  let credential: TokenCredential;
  if (creds === undefined) credential = new identity.DefaultAzureCredential(tokenOptions);
  else if (creds.kind === 'client-secret')
    credential = new identity.ClientSecretCredential(
      creds.tenantId,
      creds.clientId,
      creds.clientSecret,
      tokenOptions,
    );
  else if (creds.kind === 'client-certificate')
    credential = new identity.ClientCertificateCredential(
      creds.tenantId,
      creds.clientId,
      {
        certificate: creds.certificate,
        ...(creds.certificatePassword === undefined
          ? {}
          : { certificatePassword: creds.certificatePassword }),
      },
      { ...tokenOptions, sendCertificateChain: creds.sendCertificateChain },
    );
  else if (creds.kind === 'managed-identity')
    credential = new identity.ManagedIdentityCredential({ ...pipeline, clientId: creds.clientId });
  else credential = creds.credential;
  const clients = new Map<string, InstanceType<typeof keys.CryptographyClient>>();
  const client = (keyId: string) => {
    let found = clients.get(keyId);
    if (!found) {
      found = new keys.CryptographyClient(keyId, credential, pipeline);
      clients.set(keyId, found);
    }
    return found;
  };
  return {
    async encrypt(keyId, data, abortSignal) {
      const out = await client(keyId).encrypt(
        { algorithm: ALGORITHM, plaintext: data },
        { abortSignal },
      );
      return { result: out.result, keyId: out.keyID ?? keyId };
    },
    async decrypt(keyId, data, abortSignal) {
      const out = await client(keyId).decrypt(
        { algorithm: ALGORITHM, ciphertext: data },
        { abortSignal },
      );
      return out.result;
    },
  };
}

function field(entry: KeyEntry, name: string): string {
  const value = entry.fields[name];
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Wraps and unwraps the data key with Azure Key Vault keys (sops' `azure_kv`): RSA-OAEP-256
 * through the vault's encrypt/decrypt operations, `enc` as unpadded base64url. The Azure SDK is
 * loaded on first use.
 */
export function azureKeyVaultKeySource(options: AzureKeyVaultKeySourceOptions = {}): KeySource {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const secrets = secretsOf(options.credentials);
  let clients: Promise<Clients> | undefined;
  const getClients = () => {
    clients ??= createClients(options);
    return clients;
  };
  const call = async <T>(what: string, run: (c: Clients, signal: AbortSignal) => Promise<T>) => {
    try {
      return await withDeadline(timeoutMs, what, async (signal) => run(await getClients(), signal));
    } catch (error) {
      const reason = reasonOf(error, secrets);
      throw new Error(reason.startsWith(what) ? reason : `${what}: ${reason}`);
    }
  };
  return {
    type: 'azure_kv',
    async unwrap(entry) {
      const [vaultUrl, name, version] = ['vault_url', 'name', 'version'].map((f) =>
        field(entry, f),
      );
      const where = `azure_kv ${vaultUrl}/keys/${name}/${version}`;
      if (!vaultUrl || !name) throw new Error(`${where}: the entry has no vault_url or name`);
      if (!/^[A-Za-z0-9_-]+$/.test(entry.enc))
        throw new Error(`${where}: enc is not unpadded base64url as sops writes it`);
      const wrapped = Buffer.from(entry.enc, 'base64url');
      const keyId = `${vaultUrl.replace(/\/+$/, '')}/keys/${name}${version ? `/${version}` : ''}`;
      return call(`${where}: failed to decrypt the data key`, (c, signal) =>
        c.decrypt(keyId, wrapped, signal),
      );
    },
    async wrap(recipient, part) {
      const key = parseAzureKeyUrl(recipient);
      const where = `azure_kv ${key.vaultUrl}/keys/${key.name}/${key.version}`;
      const keyId = `${key.vaultUrl}/keys/${key.name}${key.version ? `/${key.version}` : ''}`;
      const out = await call(`${where}: failed to encrypt the data key`, (c, signal) =>
        c.encrypt(keyId, part, signal),
      );
      // sops resolves an omitted version to the current one and records it.
      const version = key.version || (KEY_URL.exec(out.keyId)?.[3] ?? '');
      if (!version) throw new Error(`${where}: Key Vault did not say which key version it used`);
      return {
        type: 'azure_kv',
        enc: Buffer.from(out.result).toString('base64url'),
        fields: { vault_url: key.vaultUrl, name: key.name, version, created_at: nowRfc3339() },
      };
    },
  };
}
