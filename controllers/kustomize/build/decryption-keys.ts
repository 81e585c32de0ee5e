import type { TokenCredential } from '@azure/identity';
import {
  type AwsKmsKeySourceOptions,
  type AzureKeyVaultKeySourceOptions,
  awsKmsKeySource,
  azureKeyVaultKeySource,
  type GcpKmsKeySourceOptions,
  gcpKmsKeySource,
  type KeyEntry,
  type KeySource,
  type KeyType,
  keySourcesFromSecretData,
  parseAgeIdentities,
  parseAwsKmsSecretEntry,
  parseAzureKvSecretEntry,
  parseGcpKmsSecretEntry,
  parseVaultSecretEntry,
  type VaultTransitKeySourceOptions,
  vaultTransitKeySource,
} from '../../../sops/index.ts';
import { awsSdkCredentialProvider, type ObjectIdentity } from '../identity/index.ts';
import { StepError } from '../step-error.ts';

/** The keys of a `spec.decryption.secretRef` Secret, read with Flux's entry naming. */
export interface DecryptionKeys {
  readonly keySources: readonly KeySource[];
  /** Entries whose name fits none of Flux's patterns; Flux ignores them silently. */
  readonly unknownEntries: readonly string[];
}

/**
 * Controller-wide settings of each remote key service, beneath the credentials: endpoints,
 * deadlines, an HTTP agent with a private CA. Empty in production; tests point them at their
 * emulators.
 */
export interface KeyServiceOptions {
  readonly vault?: Omit<VaultTransitKeySourceOptions, 'token'>;
  readonly aws?: Omit<AwsKmsKeySourceOptions, 'credentials'>;
  readonly gcp?: Omit<GcpKmsKeySourceOptions, 'credentials'>;
  readonly azure?: Omit<AzureKeyVaultKeySourceOptions, 'credentials'>;
}

/** Where cloud credentials come from when the Secret holds none. */
export interface KeySourceContext {
  /** `spec.decryption.serviceAccountName`'s credentials (object-level workload identity). */
  readonly identity?: ObjectIdentity;
  readonly services?: KeyServiceOptions;
}

const vaultEntry = 'sops.vault-token';
const awsEntry = 'sops.aws-kms';
const azureEntry = 'sops.azure-kv';
const gcpEntry = 'sops.gcp-kms';

/** Entry names Flux's kustomize-controller reads by exact name (cloud and Vault credentials). */
const namedEntries = new Set([vaultEntry, awsEntry, azureEntry, gcpEntry]);

/** The extension as Go's `filepath.Ext`: from the last dot of the base name. */
function extension(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot === -1 ? '' : base.slice(dot);
}

/**
 * Reads decryption keys from a Secret's data as Flux does: `*.agekey` entries hold age
 * identities, `*.asc` entries armored OpenPGP private keys; `sops.vault-token`, `sops.aws-kms`,
 * `sops.azure-kv` and `sops.gcp-kms` are Flux's credentials for remote key services. Any other
 * entry is listed in `unknownEntries` so the reconciler can warn about it.
 *
 * Remote key services are always offered, as Flux offers them: with the Secret's static
 * credentials first, else the object's ServiceAccount (`context.identity`), else the
 * controller's own identity (each SDK's default chain: IRSA, GKE metadata, Azure workload
 * identity environment). Nothing remote is contacted until a file names such a key.
 */
export function decryptionKeysFromSecret(
  data: Readonly<Record<string, Uint8Array>>,
  context: KeySourceContext = {},
): DecryptionKeys {
  const usable: Record<string, Uint8Array> = {};
  const unknownEntries: string[] = [];
  for (const [name, value] of Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ext = extension(name);
    if (ext === '.agekey' || ext === '.asc') {
      importEntry(name, value);
      usable[name] = value;
    } else if (!namedEntries.has(name)) unknownEntries.push(name);
  }
  return {
    keySources: [...keySourcesFromSecretData(usable), ...remoteKeySources(data, context)],
    unknownEntries,
  };
}

/** One key source per remote service, so that the SOPS engine finds exactly one per type. */
function remoteKeySources(
  data: Readonly<Record<string, Uint8Array>>,
  context: KeySourceContext,
): KeySource[] {
  const vault = parseEntry(data, vaultEntry, parseVaultSecretEntry);
  const aws = parseEntry(data, awsEntry, parseAwsKmsSecretEntry) ?? awsIdentity(context.identity);
  const gcp = parseEntry(data, gcpEntry, parseGcpKmsSecretEntry);
  const azure =
    parseEntry(data, azureEntry, parseAzureKvSecretEntry) ??
    azureIdentity(context.identity, context.services?.azure);
  return [
    vaultTransitKeySource({ ...context.services?.vault, ...(vault && { token: vault.token }) }),
    awsKmsKeySource({ ...context.services?.aws, ...(aws && { credentials: aws }) }),
    gcp || !context.identity
      ? gcpKmsKeySource({ ...context.services?.gcp, ...(gcp && { credentials: gcp }) })
      : gcpIdentityKeySource(context.identity, context.services?.gcp),
    azureKeyVaultKeySource({ ...context.services?.azure, ...(azure && { credentials: azure }) }),
  ];
}

function awsIdentity(identity: ObjectIdentity | undefined) {
  return identity && awsSdkCredentialProvider((region) => identity.aws(region));
}

/** Azure Key Vault signing in as the ServiceAccount's Entra application (client assertion). */
function azureIdentity(
  identity: ObjectIdentity | undefined,
  options: KeyServiceOptions['azure'],
): { kind: 'token-credential'; credential: TokenCredential } | undefined {
  if (identity === undefined) return undefined;
  let credential: Promise<TokenCredential> | undefined;
  const create = async (): Promise<TokenCredential> => {
    const { tenantId, clientId, assertion } = await identity.azure();
    const { ClientAssertionCredential } = await import('@azure/identity');
    return new ClientAssertionCredential(tenantId, clientId, assertion, {
      ...(options?.authorityHost !== undefined && { authorityHost: options.authorityHost }),
      ...(options?.agent !== undefined && { agent: options.agent }),
    });
  };
  return {
    kind: 'token-credential',
    credential: {
      async getToken(scopes, getTokenOptions) {
        if (credential === undefined) {
          const pending = create();
          pending.catch(() => {
            if (credential === pending) credential = undefined;
          });
          credential = pending;
        }
        return (await credential).getToken(scopes, getTokenOptions);
      },
    },
  };
}

/** GCP KMS with the ServiceAccount's Google access token, exchanged when a key is first tried. */
function gcpIdentityKeySource(
  identity: ObjectIdentity,
  options: KeyServiceOptions['gcp'],
): KeySource {
  return lazyKeySource('gcp_kms', async () =>
    gcpKmsKeySource({
      ...options,
      credentials: { kind: 'accessToken', accessToken: await identity.gcp() },
    }),
  );
}

/** A key source built on first use; a failed build is tried again by the next key. */
function lazyKeySource(type: KeyType, create: () => Promise<KeySource>): KeySource {
  let source: Promise<KeySource> | undefined;
  return {
    type,
    async unwrap(entry: KeyEntry) {
      if (source === undefined) {
        const pending = create();
        pending.catch(() => {
          if (source === pending) source = undefined;
        });
        source = pending;
      }
      return (await source).unwrap(entry);
    },
  };
}

/**
 * Parses a named credentials entry with its provider's reader; a bad entry is a
 * DecryptionFailed naming the entry. The readers never echo the value, and neither do we.
 */
function parseEntry<T>(
  data: Readonly<Record<string, Uint8Array>>,
  name: string,
  parse: (value: Uint8Array) => T,
): T | undefined {
  const value = data[name];
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (error) {
    throw new StepError(
      'DecryptionFailed',
      `failed to import '${name}' from the decryption Secret: ${
        error instanceof Error ? error.message : 'invalid entry'
      }`,
      { retryable: true },
    );
  }
}

/**
 * Checks an entry holds what its name promises, as Flux's import fails on a bad one; the
 * message names the entry, never its content.
 */
function importEntry(name: string, value: Uint8Array): void {
  const text = Buffer.from(value).toString('utf8');
  const isAge = name.endsWith('.agekey');
  const valid = isAge
    ? parseAgeIdentities(text).length > 0
    : text.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----');
  if (valid) return;
  throw new StepError(
    'DecryptionFailed',
    `failed to import '${name}' from the decryption Secret: it must hold ${
      isAge ? 'age identities (AGE-SECRET-KEY-1…)' : 'an armored OpenPGP private key'
    }`,
    { retryable: true },
  );
}
