export {
  type ControlPlane,
  type ControlPlaneOptions,
  ControlPlaneStartError,
  startControlPlane,
} from './control-plane.ts';
export { findFreePort } from './free-port.ts';
export { ensureTestbedBinaries, type InstallOptions } from './install.ts';
export { type ManagedProcess, startManagedProcess } from './managed-process.ts';
export { pathWithTestbed, testbedBinDir, testbedCacheDir } from './paths.ts';
export {
  type CertificateAuthority,
  createCertificateAuthority,
  issueCertificate,
} from './pki.ts';
