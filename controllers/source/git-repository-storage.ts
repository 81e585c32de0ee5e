import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Artifact } from '../../api/index.ts';
import type { ArtifactStorage } from './artifact-storage.ts';

/** What Flux's reconcileStorage finds for `status.artifact`. */
export type StoredArtifactState =
  | { readonly kind: 'none' }
  /** In storage with the digest status claims; its URL follows the current advertised address. */
  | { readonly kind: 'present'; readonly artifact: Artifact }
  | { readonly kind: 'missing' }
  /** The file's digest differs from status: it was removed and must be rebuilt. */
  | { readonly kind: 'tampered'; readonly message: string };

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Checks that the artifact in status is still in storage with the digest status records, as
 * Flux's `VerifyArtifact` does, so a consumer never downloads a file that no longer matches the
 * digest it was told. A mismatching file is deleted.
 */
export async function checkStoredArtifact(
  storage: ArtifactStorage,
  artifact: Artifact | undefined,
): Promise<StoredArtifactState> {
  if (artifact === undefined) return { kind: 'none' };
  if (!(await storage.exists(artifact))) return { kind: 'missing' };
  if (artifact.digest.startsWith('sha256:')) {
    const local = storage.localPath(artifact.path);
    const actual = await sha256Of(local);
    if (actual !== artifact.digest) {
      await rm(local, { force: true });
      return {
        kind: 'tampered',
        message: `computed digest doesn't match '${artifact.digest}'`,
      };
    }
  }
  return { kind: 'present', artifact: { ...artifact, url: storage.urlFor(artifact.path) } };
}
