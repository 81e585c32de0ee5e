import { mkdir } from 'node:fs/promises';
import {
  assertSparseDirsExist,
  configureSparseCheckout,
  normalizeSparseDirs,
  updateSubmodules,
} from './checkout-content.ts';
import { type GitSecretData, type GitSession, openGitSession, redactUrl } from './git-auth.ts';
import { type GitCommandContext, runGit } from './git-command.ts';
import { GitError } from './git-error.ts';
import {
  formatRevision,
  type GitReference,
  lsRemotePatterns,
  parseLsRemote,
  type RemoteRefs,
  type ResolvedReference,
  referenceKind,
  resolveReference,
} from './git-reference.ts';

export interface CheckoutOptions {
  /** `spec.url`: http(s):// or ssh://. */
  readonly url: string;
  readonly reference?: GitReference | undefined;
  /** Data of the `spec.secretRef` Secret. */
  readonly secret?: GitSecretData;
  /** An empty or missing directory to check out into. */
  readonly dir: string;
  /**
   * `status.artifact.revision`: when the remote still resolves to it, nothing is downloaded.
   * Leave it out when the content config (ignore, include, sparseCheckout, recurseSubmodules,
   * verify) changed since that artifact, as Flux rebuilds the artifact then.
   */
  readonly lastObservedRevision?: string;
  /** `spec.sparseCheckout`: only these directories are checked out. */
  readonly sparseCheckout?: readonly string[] | undefined;
  /** `spec.recurseSubmodules` */
  readonly recurseSubmodules?: boolean | undefined;
  /** `spec.timeout` in ms for the whole operation. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A checked-out working tree at one commit. */
export interface GitCheckout {
  readonly revision: string;
  readonly commit: string;
  readonly kind: ResolvedReference['kind'];
  /** The local ref of the tag that was checked out (tag and semver refs), for tag verification. */
  readonly tagRef?: string;
  readonly dir: string;
}

export type CheckoutResult =
  | { readonly changed: false; readonly revision: string }
  | { readonly changed: true; readonly checkout: GitCheckout };

function contextFor(session: GitSession, cwd: string, signal: AbortSignal): GitCommandContext {
  return { cwd, env: session.env, secrets: session.secrets, signal };
}

/** Lists the remote refs a reference needs with `git ls-remote` (no objects are downloaded). */
async function listRemoteRefs(
  session: GitSession,
  url: string,
  reference: GitReference | undefined,
  cwd: string,
  signal: AbortSignal,
): Promise<RemoteRefs> {
  const patterns = lsRemotePatterns(reference);
  if (patterns.length === 0) return new Map();
  const stdout = await runGit(
    contextFor(session, cwd, signal),
    ['ls-remote', '--', url, ...patterns],
    `listing refs of ${redactUrl(url)}`,
  );
  return parseLsRemote(stdout);
}

/**
 * Resolves `reference` on the remote, the way Flux does (commit > name > semver > tag > branch,
 * default branch `master`). Returns the revision without downloading anything.
 */
export async function resolveRemoteRevision(
  options: Omit<CheckoutOptions, 'dir' | 'lastObservedRevision'> & { readonly cwd?: string },
): Promise<ResolvedReference> {
  const signal = deadline(options);
  const session = await openGitSession(options.url, options.secret, timeoutSeconds(options));
  try {
    const refs = await listRemoteRefs(
      session,
      options.url,
      options.reference,
      options.cwd ?? process.cwd(),
      signal,
    );
    return resolveReference(options.reference, refs);
  } finally {
    await session.dispose();
  }
}

function deadline(options: { timeoutMs?: number; signal?: AbortSignal }): AbortSignal {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 60_000)];
  if (options.signal) signals.push(options.signal);
  return AbortSignal.any(signals);
}

function timeoutSeconds(options: { timeoutMs?: number }): { timeoutSeconds: number } {
  return { timeoutSeconds: Math.max(1, Math.ceil((options.timeoutMs ?? 60_000) / 1000)) };
}

/**
 * Where a fetched ref is kept locally. Branches go under refs/remotes/ (a fresh repository has
 * its unborn default branch checked out, which git refuses to fetch into); tags keep their name,
 * so the tag object can be read for verification.
 */
function localRefOf(remoteRef: string): string {
  return remoteRef.startsWith('refs/heads/')
    ? `refs/remotes/origin/${remoteRef.slice('refs/heads/'.length)}`
    : remoteRef;
}

/** Downloads the resolved commit into `dir` (shallow unless the branch history is needed). */
async function fetchAndCheckout(
  session: GitSession,
  options: CheckoutOptions,
  resolved: ResolvedReference,
  signal: AbortSignal,
): Promise<GitCheckout> {
  const { url, dir } = options;
  const sparseDirs = options.sparseCheckout?.length
    ? normalizeSparseDirs(options.sparseCheckout)
    : [];
  const ctx = contextFor(session, dir, signal);
  await mkdir(dir, { recursive: true });
  await runGit(ctx, ['init', '--quiet', '.'], 'initializing the checkout');
  const source = redactUrl(url);
  if (resolved.remoteRef === undefined) {
    // A bare commit: protocol v2 servers serve any reachable object by hash.
    await runGit(
      ctx,
      ['fetch', '--quiet', '--no-tags', '--depth=1', '--', url, resolved.commit],
      `fetching commit ${resolved.commit} from ${source}`,
    );
  } else {
    const depth = resolved.needsHistory ? [] : ['--depth=1'];
    const refspec = `+${resolved.remoteRef}:${localRefOf(resolved.remoteRef)}`;
    await runGit(
      ctx,
      ['fetch', '--quiet', '--no-tags', ...depth, '--', url, refspec],
      `fetching ${resolved.remoteRef} from ${source}`,
    );
  }
  let commit = resolved.commit;
  if (resolved.kind === 'commit' && resolved.remoteRef !== undefined) {
    // Flux only checks out a commit that is on the named branch.
    try {
      await runGit(
        ctx,
        ['merge-base', '--is-ancestor', commit, localRefOf(resolved.remoteRef)],
        'checking the commit',
      );
    } catch {
      throw new GitError(
        'ReferenceNotFound',
        `commit ${commit} is not on branch '${resolved.revisionName}' of ${source}`,
      );
    }
  } else if (resolved.remoteRef !== undefined) {
    // The ref may have moved since ls-remote: report what was actually fetched.
    commit = (
      await runGit(
        ctx,
        ['rev-parse', '--verify', `${localRefOf(resolved.remoteRef)}^{commit}`],
        'reading the fetched commit',
      )
    ).trim();
  }
  if (sparseDirs.length > 0) await configureSparseCheckout(ctx, sparseDirs);
  await runGit(ctx, ['checkout', '--quiet', '--detach', commit], `checking out ${commit}`);
  if (sparseDirs.length > 0) await assertSparseDirsExist(dir, sparseDirs);
  if (options.recurseSubmodules) await updateSubmodules(ctx, url);
  const isTag =
    resolved.kind === 'tag' ||
    resolved.kind === 'semver' ||
    resolved.remoteRef?.startsWith('refs/tags/') === true;
  return {
    revision: formatRevision(resolved.revisionName, commit),
    commit,
    kind: resolved.kind,
    dir,
    ...(isTag && resolved.remoteRef !== undefined ? { tagRef: resolved.remoteRef } : {}),
  };
}

/**
 * Checks out `reference` of `url` into `dir`, unless the remote still resolves to
 * `lastObservedRevision`, in which case only the refs are listed and `changed` is false.
 */
export async function checkoutRepository(options: CheckoutOptions): Promise<CheckoutResult> {
  const signal = deadline(options);
  const session = await openGitSession(options.url, options.secret, timeoutSeconds(options));
  try {
    await mkdir(options.dir, { recursive: true });
    const { reference, lastObservedRevision } = options;
    if (referenceKind(reference) === 'commit' && lastObservedRevision !== undefined) {
      // A pinned commit cannot move: when it is stored already, not even the refs are listed (as Flux).
      const pinned = formatRevision(
        reference?.branch || undefined,
        (reference?.commit ?? '').toLowerCase(),
      );
      if (pinned === lastObservedRevision) return { changed: false, revision: pinned };
    }
    const refs = await listRemoteRefs(session, options.url, reference, options.dir, signal);
    const resolved = resolveReference(reference, refs);
    if (resolved.revision === options.lastObservedRevision)
      return { changed: false, revision: resolved.revision };
    return {
      changed: true,
      checkout: await fetchAndCheckout(session, options, resolved, signal),
    };
  } finally {
    await session.dispose();
  }
}
