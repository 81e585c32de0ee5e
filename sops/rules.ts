import { SopsError } from './errors.ts';

/** The six selection rules plus `mac_only_encrypted`, as stored in the `sops` metadata. */
export interface EncryptionRules {
  unencrypted_suffix?: string;
  encrypted_suffix?: string;
  unencrypted_regex?: string;
  encrypted_regex?: string;
  unencrypted_comment_regex?: string;
  encrypted_comment_regex?: string;
  mac_only_encrypted?: boolean;
}

export const RULE_NAMES = [
  'unencrypted_suffix',
  'encrypted_suffix',
  'unencrypted_regex',
  'encrypted_regex',
  'unencrypted_comment_regex',
  'encrypted_comment_regex',
] as const;

/**
 * Compiles a Go RE2 pattern to a JavaScript RegExp. RE2's leading inline flags `(?i)`,
 * `(?s)`, `(?m)` become JS flags; everything else is close enough for key-name patterns.
 */
export function compileGoRegex(pattern: string): RegExp {
  let source = pattern;
  let flags = 'u';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    flags += inline[1] ?? '';
  }
  try {
    return new RegExp(source, flags);
  } catch {
    try {
      return new RegExp(source, flags.replace('u', ''));
    } catch (cause) {
      throw new SopsError('InvalidRule', `invalid regular expression "${pattern}"`, { cause });
    }
  }
}

/** Rejects more than one selection rule, as sops does. */
export function checkSingleRule(rules: EncryptionRules): void {
  const set = RULE_NAMES.filter((name) => (rules[name] ?? '') !== '');
  if (set.length > 1) {
    throw new SopsError(
      'InvalidRule',
      'Cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file',
    );
  }
}

/** Decides, for a leaf at `path` with the comments currently active, whether it is encrypted. */
export type Selector = (
  path: readonly string[],
  comments: readonly (readonly string[])[],
  isComment: boolean,
) => boolean;

/** Builds sops's `shouldBeEncrypted` for these rules; an empty rule set means `_unencrypted`. */
export function buildSelector(input: EncryptionRules): Selector {
  checkSingleRule(input);
  const rules = RULE_NAMES.some((name) => (input[name] ?? '') !== '')
    ? input
    : { ...input, unencrypted_suffix: '_unencrypted' };
  const unencryptedSuffix = rules.unencrypted_suffix || undefined;
  const encryptedSuffix = rules.encrypted_suffix || undefined;
  const unencryptedRegex = rules.unencrypted_regex
    ? compileGoRegex(rules.unencrypted_regex)
    : undefined;
  const encryptedRegex = rules.encrypted_regex ? compileGoRegex(rules.encrypted_regex) : undefined;
  const unencryptedComment = rules.unencrypted_comment_regex
    ? compileGoRegex(rules.unencrypted_comment_regex)
    : undefined;
  const encryptedComment = rules.encrypted_comment_regex
    ? compileGoRegex(rules.encrypted_comment_regex)
    : undefined;
  const seen = new WeakMap<readonly string[], Matches>();
  return (path, comments, isComment) => {
    if (unencryptedSuffix !== undefined) return !path.some((p) => p.endsWith(unencryptedSuffix));
    if (encryptedSuffix !== undefined) return path.some((p) => p.endsWith(encryptedSuffix));
    if (unencryptedRegex) return !path.some((p) => unencryptedRegex.test(p));
    if (encryptedRegex) return path.some((p) => encryptedRegex.test(p));
    if (unencryptedComment)
      return !comments.some((level) => matchesIn(level, unencryptedComment, seen).count > 0);
    if (encryptedComment) {
      const last = comments.length - 1;
      return comments.some((level, i) => {
        const { count, lastIndex } = matchesIn(level, encryptedComment, seen);
        // The comment being decided does not select itself.
        const itself = isComment && i === last && lastIndex === level.length - 1 ? 1 : 0;
        return count > itself;
      });
    }
    return true;
  };
}

interface Matches {
  /** How many of the level's comments were tested. */
  tested: number;
  count: number;
  /** Index of the last comment that matched (-1: none). */
  lastIndex: number;
}

/**
 * How many comments of a level match `regex`, and the index of the last one that does. The walk
 * grows a level's run of comments in place and asks about it at every leaf: with `seen` (one
 * per selector), each comment is tested once, not once per later leaf (a long run of comments
 * was quadratic).
 */
function matchesIn(
  level: readonly string[],
  regex: RegExp,
  seen: WeakMap<readonly string[], Matches>,
): Matches {
  let matches = seen.get(level);
  if (!matches) {
    matches = { tested: 0, count: 0, lastIndex: -1 };
    seen.set(level, matches);
  }
  for (; matches.tested < level.length; matches.tested++) {
    if (regex.test(level[matches.tested] as string)) {
      matches.count++;
      matches.lastIndex = matches.tested;
    }
  }
  return matches;
}
