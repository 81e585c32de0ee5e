/**
 * The SOPS engine: read and write files in getsops/sops v3's format. No Kubernetes here;
 * callers pass bytes and key sources and get bytes back.
 */
export type { Recipient } from './data-key.ts';
export { DEFAULT_DECRYPTION_ORDER, recoverDataKey, wrapDataKey } from './data-key.ts';
export type { DecryptedFile, DecryptOptions, LoadedFile } from './decrypt-file.ts';
export { decryptFile, loadEncryptedFile, verifyMac } from './decrypt-file.ts';
export { decryptObject, isSopsEncryptedObject } from './decrypt-object.ts';
export type { EncryptOptions } from './encrypt-file.ts';
export {
  effectiveRules,
  emitEncrypted,
  encryptFile,
  SOPS_FORMAT_VERSION,
  sealBranches,
} from './encrypt-file.ts';
export type { SopsErrorCode } from './errors.ts';
export { SopsError } from './errors.ts';
export { ageKeySource, parseAgeIdentities } from './keys/age-key-source.ts';
export type {
  AwsCredentials,
  AwsKmsKey,
  AwsKmsKeySourceOptions,
} from './keys/aws-kms-key-source.ts';
export {
  awsKmsKeySource,
  formatAwsKmsRecipient,
  parseAwsKmsRecipient,
  parseAwsKmsSecretEntry,
} from './keys/aws-kms-key-source.ts';
export type {
  AzureKeyVaultKeySourceOptions,
  AzureKvCredentials,
} from './keys/azure-kv-key-source.ts';
export {
  azureKeyVaultKeySource,
  parseAzureKeyUrl,
  parseAzureKvSecretEntry,
} from './keys/azure-kv-key-source.ts';
export type {
  GcpKmsCredentials,
  GcpKmsKeySourceOptions,
} from './keys/gcp-kms-key-source.ts';
export {
  gcpKmsKeySource,
  gcpKmsOptionsFromEnv,
  parseGcpKmsSecretEntry,
} from './keys/gcp-kms-key-source.ts';
export type { KeySource } from './keys/key-source.ts';
export { describeEntry } from './keys/key-source.ts';
export type { PgpPrivateKey } from './keys/pgp-key-source.ts';
export { pgpKeySource } from './keys/pgp-key-source.ts';
export { keySourcesFromSecretData } from './keys/secret-key-sources.ts';
export type {
  VaultTransitKey,
  VaultTransitKeySourceOptions,
} from './keys/vault-transit-key-source.ts';
export {
  parseVaultSecretEntry,
  parseVaultTransitUri,
  vaultTransitKeySource,
  vaultTransitUri,
} from './keys/vault-transit-key-source.ts';
export type { KeyEntry, KeyType, Metadata } from './metadata.ts';
export type { RotateOptions, UpdateKeysOptions } from './rewrap.ts';
export {
  entryRecipient,
  keyGroupsMatch,
  reencryptEdited,
  rotateFile,
  updateKeysFile,
} from './rewrap.ts';
export type { EncryptionRules } from './rules.ts';
export type { Format, StoreOptions } from './stores/index.ts';
export { FORMATS, formatForPath, storeFor } from './stores/index.ts';
export type { TreeBranches, TreeMap, TreeValue } from './tree.ts';
