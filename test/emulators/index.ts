/**
 * Cloud key service emulators for the key-source tests (issue 8), built by
 * test/testbed/install-emulators.sh: each starts on a free loopback port with a scratch
 * directory, is seeded with a key, and hands back its endpoint, credentials and `stop()`.
 */
export {
  type EmulatorSpec,
  EmulatorStartError,
  emulatorBinary,
  type RunningEmulator,
  startEmulator,
} from './emulator-process.ts';
export { type LocalKms, type LocalKmsOptions, startLocalKms } from './local-kms.ts';
export { startVaultTransit, type VaultTransit } from './vault-transit.ts';
