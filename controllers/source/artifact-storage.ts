import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { writeArtifactArchive } from './artifact-archive.ts';

/** What `status.artifact` records, with Flux's field names. */
export interface StoredArtifact {
  /** Relative to the storage root: `gitrepository/<namespace>/<name>/<file>`. */
  readonly path: string;
  readonly url: string;
  readonly revision: string;
  readonly digest: string;
  readonly size: number;
  /** RFC 3339. */
  readonly lastUpdateTime: string;
}

export interface ArtifactOwner {
  /** The object's kind, e.g. `GitRepository`; stored lower-cased as Flux does. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** A temp file this old belongs to no running write. */
const STALE_TEMP_MS = 10 * 60 * 1000;

export class StorageError extends Error {
  override readonly name = 'StorageError';
}

/** Kubernetes names cannot contain `/` or `..`, but a path built from them is checked anyway. */
function safeSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
    throw new StorageError(`${what} '${value}' cannot be used in an artifact path`);
  }
  return value;
}

/**
 * Artifacts on disk under `--storage-path`, in Flux's layout, with URLs built from
 * `--storage-adv-addr`. Writes are atomic (temp file then rename in the same directory).
 */
export class ArtifactStorage {
  readonly basePath: string;
  readonly advertisedAddress: string;
  /** Artifacts kept per object by `garbageCollect`, the current one included (Flux: 2). */
  readonly retentionRecords: number;

  constructor(options: { basePath: string; advertisedAddress: string; retentionRecords?: number }) {
    this.basePath = resolve(options.basePath);
    this.advertisedAddress = options.advertisedAddress.replace(/\/+$/, '');
    this.retentionRecords = Math.max(1, options.retentionRecords ?? 2);
  }

  /** `gitrepository/<namespace>/<name>` */
  ownerDir(owner: ArtifactOwner): string {
    return [
      safeSegment(owner.kind.toLowerCase(), 'kind'),
      safeSegment(owner.namespace, 'namespace'),
      safeSegment(owner.name, 'name'),
    ].join('/');
  }

  /** The artifact's relative path; Flux names a Git artifact after its commit: `<hash>.tar.gz`. */
  artifactPath(owner: ArtifactOwner, fileName: string): string {
    return `${this.ownerDir(owner)}/${safeSegment(fileName, 'file name')}`;
  }

  localPath(path: string): string {
    const full = resolve(this.basePath, path);
    if (!full.startsWith(this.basePath + sep))
      throw new StorageError(`artifact path '${path}' is outside the storage`);
    return full;
  }

  /** `http://<adv-addr>/<path>`; an address with a scheme is used as given. */
  urlFor(path: string): string {
    const base = /^https?:\/\//.test(this.advertisedAddress)
      ? this.advertisedAddress
      : `http://${this.advertisedAddress}`;
    return `${base}/${path}`;
  }

  async exists(artifact: Pick<StoredArtifact, 'path'>): Promise<boolean> {
    return stat(this.localPath(artifact.path)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** Archives `dir` (with ignore rules) into the owner's directory and returns the artifact. */
  async archive(options: {
    owner: ArtifactOwner;
    revision: string;
    fileName: string;
    dir: string;
    ignore?: string;
  }): Promise<StoredArtifact> {
    const path = this.artifactPath(options.owner, options.fileName);
    const target = this.localPath(path);
    const parent = this.localPath(this.ownerDir(options.owner));
    await mkdir(parent, { recursive: true });
    const temp = join(parent, `.tmp-${randomBytes(8).toString('hex')}.tar.gz`);
    try {
      const result = await writeArtifactArchive(
        options.dir,
        temp,
        options.ignore !== undefined ? { ignore: options.ignore } : {},
      );
      await rename(temp, target);
      return {
        path,
        url: this.urlFor(path),
        revision: options.revision,
        digest: result.digest,
        size: result.size,
        lastUpdateTime: new Date().toISOString(),
      };
    } catch (error) {
      await rm(temp, { force: true });
      throw new StorageError(`archiving ${path} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * Deletes the owner's older artifacts, keeping `current` and the newest others up to
   * `retentionRecords` in all. Returns the deleted relative paths.
   */
  async garbageCollect(
    owner: ArtifactOwner,
    current: Pick<StoredArtifact, 'path'>,
  ): Promise<string[]> {
    const dir = this.ownerDir(owner);
    const names = await readdir(this.localPath(dir)).catch(() => [] as string[]);
    const files = await Promise.all(
      names
        .filter((name) => !name.startsWith('.') && name.endsWith('.tar.gz'))
        .map(async (name) => ({
          path: `${dir}/${name}`,
          mtime: (await stat(this.localPath(`${dir}/${name}`))).mtimeMs,
        })),
    );
    const others = files
      .filter((f) => f.path !== current.path)
      .sort((a, b) => b.mtime - a.mtime || b.path.localeCompare(a.path));
    const doomed = others.slice(this.retentionRecords - 1).map((f) => f.path);
    // Temp files of a write that never finished (the process died mid-archive).
    const staleBefore = Date.now() - STALE_TEMP_MS;
    for (const name of names.filter((n) => n.startsWith('.tmp-'))) {
      const info = await stat(this.localPath(`${dir}/${name}`)).catch(() => undefined);
      if (info && info.mtimeMs < staleBefore) doomed.push(`${dir}/${name}`);
    }
    await Promise.all(doomed.map((path) => rm(this.localPath(path), { force: true })));
    return doomed;
  }

  /** Removes every artifact of a deleted object. */
  async removeAll(owner: ArtifactOwner): Promise<void> {
    await rm(this.localPath(this.ownerDir(owner)), { recursive: true, force: true });
  }
}
