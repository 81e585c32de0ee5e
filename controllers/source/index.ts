/**
 * The Git side of the GitRepository source, below the reconciler. One run reads like:
 *
 * ```ts
 * const fetched = await checkoutRepository({ url, reference, secret, dir, timeoutMs,
 *   lastObservedRevision, sparseCheckout, recurseSubmodules, signal }); // GitError → FetchFailed
 * if (!fetched.changed) return upToDate(fetched.revision);
 * const verified = await verifySignatures({ dir, commit, tagRef, mode, keyRings }); // VerificationError
 * await copyArtifactToPath({ artifactFile, fromPath, targetRoot: dir, toPath });   // per include
 * const artifact = await storage.archive({ owner, revision, fileName: `${commit}.tar.gz`, dir, ignore });
 * await storage.garbageCollect(owner, artifact);                                  // StorageError
 * ```
 *
 * Errors carry a `code` (`GitError`, `VerificationError`) and never hold a secret value.
 *
 * `GitRepositoryReconciler` runs these steps for each GitRepository as Flux's source-controller
 * does, and `sourceController` registers it (plus the artifact server) for `kustodian controller`;
 * see README.md.
 */
export {
  type ArchiveEntry,
  type ArchiveResult,
  listArtifactEntries,
  writeArtifactArchive,
} from './artifact-archive.ts';
export { copyArtifactToPath, secureJoin } from './artifact-include.ts';
export { type ArtifactServer, startArtifactServer } from './artifact-server.ts';
export {
  type ArtifactOwner,
  ArtifactStorage,
  StorageError,
  type StoredArtifact,
} from './artifact-storage.ts';
export {
  type GitSecretData,
  type GitSession,
  type GitTransport,
  openGitSession,
  redactUrl,
  transportOf,
} from './git-auth.ts';
export {
  type CheckoutOptions,
  type CheckoutResult,
  checkoutRepository,
  type GitCheckout,
  resolveRemoteRevision,
} from './git-checkout.ts';
export { GitError, type GitErrorCode, scrubSecrets } from './git-error.ts';
export {
  DEFAULT_BRANCH,
  formatRevision,
  type GitReference,
  parseRevision,
  type ResolvedReference,
} from './git-reference.ts';
export {
  advertisedAddress,
  gitRepositoryType,
  sourceController,
} from './git-repository-controller.ts';
export {
  type GitRepositoryObject,
  GitRepositoryReconciler,
  type GitRepositoryReconcilerOptions,
} from './git-repository-reconciler.ts';
export {
  splitCommitSignature,
  splitTagSignature,
  VerificationError,
  type VerificationErrorCode,
  type VerificationMode,
  type VerifyOptions,
  verifySignatures,
} from './signature-verify.ts';
export {
  createSourceIgnore,
  DEFAULT_EXCLUDES,
  SOURCE_IGNORE_FILE,
  type SourceIgnore,
} from './source-ignore.ts';
