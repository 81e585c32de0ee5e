import { formatAwsKmsRecipient, parseVaultTransitUri, type Recipient } from '../sops/index.ts';

/** Splits sops' comma-separated key lists (`--kms a,b`, `age: "a, b"`), dropping empty items. */
export function splitKeyList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * sops' `--encryption-context` / `--aws-context`: `k:v,k:v`. Like sops, anything that is not
 * exactly pairs is refused.
 */
export function parseKmsContext(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const pairs = text.split(',').map((kv) => kv.split(':'));
  if (pairs.some((kv) => kv.length !== 2))
    throw new Error(`invalid KMS encryption context "${text}"; expected key:value,key:value`);
  return Object.fromEntries(pairs as [string, string][]);
}

/** AWS KMS recipients from `arn[+role]` strings, with the context and profile sops attaches. */
export function kmsRecipients(
  arns: readonly string[],
  context: Readonly<Record<string, string>> | undefined,
  awsProfile: string | undefined,
): Recipient[] {
  return arns.map((text) => {
    const arnRole = text.replaceAll(' ', '');
    const roleAt = arnRole.indexOf('+arn:');
    return {
      type: 'kms' as const,
      id: formatAwsKmsRecipient({
        arn: roleAt > 0 ? arnRole.slice(0, roleAt) : arnRole,
        ...(roleAt > 0 ? { role: arnRole.slice(roleAt + 1) } : {}),
        ...(context && Object.keys(context).length > 0 ? { context } : {}),
        ...(awsProfile ? { awsProfile } : {}),
      }),
    };
  });
}

/** Vault transit recipients; a malformed URI is refused here, as sops does at config time. */
export function vaultRecipients(uris: readonly string[]): Recipient[] {
  return uris.map((uri) => {
    parseVaultTransitUri(uri);
    return { type: 'hc_vault' as const, id: uri.trim() };
  });
}

/** An Azure Key Vault key URL from `.sops.yaml`'s `{vaultUrl, key, version}` (version optional). */
export function azureKeyUrl(vaultUrl: string, key: string, version: string | undefined): string {
  const base = `${vaultUrl.replace(/\/+$/, '')}/keys/${key}`;
  return version ? `${base}/${version}` : base;
}

/** Every key flag of one kind of command (`--kms`, or `--add-kms` with prefix `add`). */
export interface KeyFlagValues {
  age?: string | undefined;
  pgp?: string | undefined;
  kms?: string | undefined;
  gcpKms?: string | undefined;
  azureKv?: string | undefined;
  hcVaultTransit?: string | undefined;
}

/** The recipients the key flags name, in sops' order (kms, gcp, azure, pgp, vault, age). */
export function recipientsFromFlags(
  values: KeyFlagValues,
  context: Readonly<Record<string, string>> | undefined,
  awsProfile: string | undefined,
): Recipient[] {
  const of = (type: Recipient['type'], list: string | undefined) =>
    splitKeyList(list).map((id) => ({ type, id }));
  return [
    ...kmsRecipients(splitKeyList(values.kms), context, awsProfile),
    ...of('gcp_kms', values.gcpKms),
    ...of('azure_kv', values.azureKv),
    ...of('pgp', values.pgp),
    ...vaultRecipients(splitKeyList(values.hcVaultTransit)),
    ...of('age', values.age),
  ];
}
