import semver from 'semver';
import { GitError } from './git-error.ts';

/** `spec.ref` of a GitRepository, as Flux's `GitRepositoryRef`. */
export interface GitReference {
  readonly branch?: string;
  readonly tag?: string;
  readonly semver?: string;
  readonly name?: string;
  readonly commit?: string;
}

/** Flux checks out `master` when `spec.ref` names nothing (GitRepositoryRef's documented default). */
export const DEFAULT_BRANCH = 'master';

/** One ref as `git ls-remote` lists it; `peeled` is the commit an annotated tag points at. */
export interface RemoteRef {
  readonly hash: string;
  readonly peeled?: string;
}

export type RemoteRefs = ReadonlyMap<string, RemoteRef>;

/** What a reference resolves to before anything is downloaded. */
export interface ResolvedReference {
  readonly kind: 'branch' | 'tag' | 'semver' | 'name' | 'commit';
  /** The Flux revision: `main@sha1:<hash>`, `v1.0.0@sha1:<hash>`, `refs/…@sha1:<hash>`, `sha1:<hash>`. */
  readonly revision: string;
  /** The commit the checkout will have. */
  readonly commit: string;
  /** The full remote ref to fetch; absent for a bare commit, which is fetched by hash. */
  readonly remoteRef?: string;
  /** The prefix before `@sha1:` in the revision, if any. */
  readonly revisionName?: string;
  /** Whether the fetch needs the ref's history (commit on a branch). */
  readonly needsHistory: boolean;
}

/** Parses `git ls-remote` output into ref → hash, folding `^{}` lines into `peeled`. */
export function parseLsRemote(stdout: string): Map<string, RemoteRef> {
  const refs = new Map<string, RemoteRef>();
  const peeled = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line.trim());
    if (!match) continue;
    const [, hash, name] = match as unknown as [string, string, string];
    if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), hash);
    else refs.set(name, { hash });
  }
  for (const [name, hash] of peeled) {
    const ref = refs.get(name);
    if (ref) refs.set(name, { hash: ref.hash, peeled: hash });
  }
  return refs;
}

/** Formats a revision the way Flux v1 writes `status.artifact.revision`. */
export function formatRevision(name: string | undefined, commit: string): string {
  const algo = commit.length === 64 ? 'sha256' : 'sha1';
  return name ? `${name}@${algo}:${commit}` : `${algo}:${commit}`;
}

/** Splits `main@sha1:<hash>` into its name and hash; `sha1:<hash>` has no name. */
export function parseRevision(revision: string): { name?: string; commit: string } {
  const at = revision.lastIndexOf('@');
  const name = at > 0 ? revision.slice(0, at) : undefined;
  const rest = at > 0 ? revision.slice(at + 1) : revision;
  const colon = rest.indexOf(':');
  const commit = colon >= 0 ? rest.slice(colon + 1) : rest;
  return name === undefined ? { commit } : { name, commit };
}

/** Which kind of reference wins, in Flux's order: commit > name > semver > tag > branch. */
export function referenceKind(ref: GitReference | undefined): ResolvedReference['kind'] {
  if (ref?.commit) return 'commit';
  if (ref?.name) return 'name';
  if (ref?.semver) return 'semver';
  if (ref?.tag) return 'tag';
  return 'branch';
}

/** The ref patterns to pass to `git ls-remote`, so only what is needed is listed. */
export function lsRemotePatterns(ref: GitReference | undefined): string[] {
  switch (referenceKind(ref)) {
    case 'commit':
      return ref?.branch ? [`refs/heads/${ref.branch}`] : [];
    case 'name':
      return [ref?.name ?? ''];
    case 'semver':
      return ['refs/tags/*'];
    case 'tag':
      return [`refs/tags/${ref?.tag}`, `refs/tags/${ref?.tag}^{}`];
    default:
      return [`refs/heads/${ref?.branch || DEFAULT_BRANCH}`];
  }
}

function commitOf(ref: RemoteRef): string {
  return ref.peeled ?? ref.hash;
}

function notFound(what: string): GitError {
  return new GitError('ReferenceNotFound', `${what} not found on the remote`);
}

/**
 * Reads a tag as a version the way Flux's semver library does: `v` prefix allowed, and `1` or
 * `1.2` taken as `1.0.0`/`1.2.0`; anything else (e.g. `release-2`) is not a version.
 */
function parseTagVersion(tag: string): semver.SemVer | null {
  const parsed = semver.parse(tag, { loose: true });
  if (parsed) return parsed;
  const short = /^v?(\d+)(?:\.(\d+))?$/.exec(tag);
  return short ? semver.parse(`${short[1]}.${short[2] ?? 0}.0`) : null;
}

/** The highest tag matching a semver range; tags that are not versions are ignored, as Flux does. */
export function pickSemverTag(refs: RemoteRefs, range: string): string | undefined {
  if (semver.validRange(range) === null) {
    throw new GitError('ReferenceNotFound', `semver range '${range}' is not valid`);
  }
  let best: { tag: string; version: semver.SemVer } | undefined;
  for (const name of refs.keys()) {
    if (!name.startsWith('refs/tags/')) continue;
    const tag = name.slice('refs/tags/'.length);
    const version = parseTagVersion(tag);
    if (version === null || !semver.satisfies(version, range)) continue;
    if (best === undefined || semver.gt(version, best.version)) best = { tag, version };
  }
  return best?.tag;
}

/**
 * Resolves a reference against the remote's refs (from `git ls-remote`). A bare commit needs no
 * refs; a commit with a branch must be on that branch, which the fetch checks.
 */
export function resolveReference(
  ref: GitReference | undefined,
  refs: RemoteRefs,
): ResolvedReference {
  const kind = referenceKind(ref);
  switch (kind) {
    case 'commit': {
      const commit = (ref?.commit ?? '').toLowerCase();
      if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) {
        throw new GitError(
          'ReferenceNotFound',
          `commit '${ref?.commit}' is not a full commit hash; spec.ref.commit needs all 40 hex digits`,
        );
      }
      if (!ref?.branch)
        return { kind, commit, revision: formatRevision(undefined, commit), needsHistory: false };
      const remoteRef = `refs/heads/${ref.branch}`;
      if (!refs.has(remoteRef)) throw notFound(`branch '${ref.branch}'`);
      return {
        kind,
        commit,
        remoteRef,
        revisionName: ref.branch,
        revision: formatRevision(ref.branch, commit),
        needsHistory: true,
      };
    }
    case 'name': {
      const name = ref?.name ?? '';
      const found = refs.get(name);
      if (!found) throw notFound(`reference '${name}'`);
      const commit = commitOf(found);
      return {
        kind,
        commit,
        remoteRef: name,
        revisionName: name,
        revision: formatRevision(name, commit),
        needsHistory: false,
      };
    }
    case 'semver': {
      const tag = pickSemverTag(refs, ref?.semver ?? '');
      if (tag === undefined) {
        throw new GitError(
          'ReferenceNotFound',
          `no tag on the remote matches semver range '${ref?.semver}'`,
        );
      }
      const found = refs.get(`refs/tags/${tag}`) as RemoteRef;
      const commit = commitOf(found);
      return {
        kind,
        commit,
        remoteRef: `refs/tags/${tag}`,
        revisionName: tag,
        revision: formatRevision(tag, commit),
        needsHistory: false,
      };
    }
    case 'tag': {
      const tag = ref?.tag ?? '';
      const found = refs.get(`refs/tags/${tag}`);
      if (!found) throw notFound(`tag '${tag}'`);
      const commit = commitOf(found);
      return {
        kind,
        commit,
        remoteRef: `refs/tags/${tag}`,
        revisionName: tag,
        revision: formatRevision(tag, commit),
        needsHistory: false,
      };
    }
    default: {
      const branch = ref?.branch || DEFAULT_BRANCH;
      const found = refs.get(`refs/heads/${branch}`);
      if (!found) throw notFound(`branch '${branch}'`);
      return {
        kind,
        commit: found.hash,
        remoteRef: `refs/heads/${branch}`,
        revisionName: branch,
        revision: formatRevision(branch, found.hash),
        needsHistory: false,
      };
    }
  }
}
