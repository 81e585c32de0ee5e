/**
 * Local key services for the key-source tests (issue 8). Vault and local-kms are real
 * emulators built by test/testbed/install-emulators.sh; GCP KMS, Azure Key Vault + Entra, and
 * AWS/Google STS have no emulator in the test bed, so they are wire-format servers written here
 * (the provider's documented protocol, only what the SDKs and sops send). Each starts on a free
 * loopback port and hands back its endpoint, credentials and `stop()`.
 */

export { type AzureKvWireServer, startAzureKvWireServer } from './azure-kv-wire-server.ts';
export {
  type EmulatorSpec,
  EmulatorStartError,
  emulatorBinary,
  type RunningEmulator,
  startEmulator,
} from './emulator-process.ts';
export type { FederatedCredential } from './entra-token-wire-server.ts';
export {
  type GcpKmsWireServer,
  startGcpKmsWireServer,
  type TestServiceAccount,
} from './gcp-kms-wire-server.ts';
export type { GoogleStsOptions } from './google-sts-wire-routes.ts';
export { type LocalKms, type LocalKmsOptions, startLocalKms } from './local-kms.ts';
export { serviceAccountIssuer } from './service-account-tokens.ts';
export {
  type AssumeRoleCall,
  type ProxiedCall,
  type RecordingProxy,
  type StsAssumeRoleWireServer,
  startRecordingProxy,
  startStsAssumeRoleWireServer,
} from './sts-assume-role-wire-server.ts';
export {
  type StsExchange,
  type StsWireServer,
  type StsWireServerOptions,
  startStsWireServer,
} from './sts-wire-server.ts';
export {
  closedAddress,
  type SilentServer,
  startSilentServer,
} from './unresponsive-servers.ts';
export { startVaultTransit, type VaultTransit } from './vault-transit.ts';
