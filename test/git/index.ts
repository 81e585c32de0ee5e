/**
 * Real git servers and repositories for tests: an HTTPS server in front of git-http-backend,
 * Debian's sshd with git-shell, bare repositories with (signed) commits and tags.
 */
export {
  createGpgKey,
  createTestRepo,
  disposeGpgKey,
  type GpgKey,
  type TestRepo,
} from './git-fixture.ts';
export {
  type HttpAuthMode,
  type HttpsGitServer,
  type RecordedRequest,
  startHttpsGitServer,
} from './https-git-server.ts';
export {
  generateSshKey,
  type SshGitServer,
  type SshKeyPair,
  startSshGitServer,
} from './ssh-git-server.ts';
export { createTestPki, type TestPki } from './tls-pki.ts';
