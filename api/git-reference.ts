import type { GitRepositoryRef } from './git-repository.ts';

/** Flux's branch when a GitRepository names no reference. */
export const defaultBranch = 'master';

/** The one reference a GitRepository checks out, after Flux's precedence is applied. */
export type GitCheckout =
  /** A commit; with `branch` the branch is fetched shallowly and must contain the commit. */
  | { readonly kind: 'commit'; readonly commit: string; readonly branch?: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'semver'; readonly semver: string }
  | { readonly kind: 'branch'; readonly branch: string };

/**
 * Picks the reference to check out: commit, then name, then tag, then semver, then branch
 * (`master` by default). This is the order Flux's git client applies; note that it puts tag
 * before semver although Flux's API documentation says the reverse.
 */
export function resolveGitCheckout(ref: GitRepositoryRef | undefined): GitCheckout {
  if (ref?.commit) {
    return ref.branch
      ? { kind: 'commit', commit: ref.commit, branch: ref.branch }
      : { kind: 'commit', commit: ref.commit };
  }
  if (ref?.name) return { kind: 'name', name: ref.name };
  if (ref?.tag) return { kind: 'tag', tag: ref.tag };
  if (ref?.semver) return { kind: 'semver', semver: ref.semver };
  return { kind: 'branch', branch: ref?.branch || defaultBranch };
}
