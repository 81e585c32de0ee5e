import {
  type KeySource,
  keySourcesFromSecretData,
  parseAgeIdentities,
} from '../../../sops/index.ts';
import { StepError } from '../step-error.ts';

/** The keys of a `spec.decryption.secretRef` Secret, read with Flux's entry naming. */
export interface DecryptionKeys {
  readonly keySources: readonly KeySource[];
  /** Entries whose name fits none of Flux's patterns; Flux ignores them silently. */
  readonly unknownEntries: readonly string[];
  /** Entries Flux would use but kustodian cannot yet (cloud KMS and Vault credentials). */
  readonly unsupportedEntries?: readonly string[];
}

/** Entry names Flux's kustomize-controller reads by exact name (cloud and Vault credentials). */
const namedEntries = new Set(['sops.vault-token', 'sops.aws-kms', 'sops.azure-kv', 'sops.gcp-kms']);

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
 */
export function decryptionKeysFromSecret(
  data: Readonly<Record<string, Uint8Array>>,
): DecryptionKeys {
  const usable: Record<string, Uint8Array> = {};
  const unknownEntries: string[] = [];
  const unsupportedEntries: string[] = [];
  for (const [name, value] of Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ext = extension(name);
    if (ext === '.agekey' || ext === '.asc') {
      importEntry(name, value);
      usable[name] = value;
    } else if (namedEntries.has(name)) unsupportedEntries.push(name);
    else unknownEntries.push(name);
  }
  return { keySources: keySourcesFromSecretData(usable), unknownEntries, unsupportedEntries };
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
