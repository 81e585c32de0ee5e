/**
 * Artifact revisions in Flux's format: `<branch>@sha1:<hash>` for a branch, `<tag>@sha1:<hash>`
 * for a tag or semver range, `<ref name>@sha1:<hash>` for other refs and `sha1:<hash>` for a
 * bare commit. The hash algorithm is named by hash length, as Flux's git package does.
 */

export interface ParsedRevision {
  /** Branch, tag or reference name; empty for a bare commit. */
  readonly name: string;
  /** Algorithm of the hash: `sha1` for 40 hex digits, `sha256` for 64. */
  readonly algorithm: string;
  readonly hash: string;
}

export function hashAlgorithm(hash: string): string {
  if (hash.length === 40) return 'sha1';
  if (hash.length === 64) return 'sha256';
  return '<unknown>';
}

/** `sha1:<hash>`: the digest form of a commit hash. */
export function commitDigest(hash: string): string {
  return `${hashAlgorithm(hash)}:${hash}`;
}

/**
 * Formats the revision of a checked-out commit. `reference` is the full ref that was resolved
 * (`refs/heads/main`, `refs/tags/v1.0.0`, `refs/pull/1/head`) or empty for a commit checkout;
 * as in Flux, the first two path segments of the ref are dropped.
 */
export function formatRevision(reference: string, hash: string): string {
  const parts = reference.split('/');
  if (parts.length >= 3) return `${parts.slice(2).join('/')}@${commitDigest(hash)}`;
  return commitDigest(hash);
}

/** Shorthands for the common cases. */
export const branchRevision = (branch: string, hash: string) =>
  formatRevision(`refs/heads/${branch}`, hash);
export const tagRevision = (tag: string, hash: string) => formatRevision(`refs/tags/${tag}`, hash);

/**
 * Parses a revision. Also reads Flux's legacy forms `main/<hash>` and a bare `<hash>`, which
 * older status fields may still hold.
 */
export function parseRevision(revision: string): ParsedRevision {
  const at = revision.lastIndexOf('@');
  const name = at !== -1 ? revision.slice(0, at) : legacyName(revision);
  const digest = at !== -1 ? revision.slice(at + 1) : revision;
  const colon = digest.lastIndexOf(':');
  if (colon !== -1) {
    return { name, algorithm: digest.slice(0, colon), hash: digest.slice(colon + 1) };
  }
  const hash = digest.split('/').at(-1) ?? digest;
  return { name, algorithm: hashAlgorithm(hash), hash };
}

function legacyName(revision: string): string {
  if (revision.includes(':')) return '';
  const slash = revision.lastIndexOf('/');
  if (slash === -1) return '';
  const name = revision.slice(0, slash);
  return name === 'HEAD' ? '' : name;
}

/** The commit hash of a revision in any of the forms `parseRevision` reads. */
export function revisionHash(revision: string): string {
  return parseRevision(revision).hash;
}
