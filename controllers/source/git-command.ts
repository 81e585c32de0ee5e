import { simpleGit } from 'simple-git';
import { classifyGitFailure, GitError, scrubSecrets, summarizeGitStderr } from './git-error.ts';

/** Where and how one git command runs; `env` is complete (see `GitSession`). */
export interface GitCommandContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  readonly signal?: AbortSignal;
}

function stderrOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs `git <args>` through simple-git with a complete environment and returns stdout. The
 * askpass and ssh-command variables are ours (see git-auth.ts), so simple-git's guards for them
 * are lifted for exactly those keys. Failures become a `GitError` whose message is scrubbed.
 */
export async function runGit(
  context: GitCommandContext,
  args: readonly string[],
  what: string,
): Promise<string> {
  const git = simpleGit({
    baseDir: context.cwd,
    trimmed: false,
    allowEnvironment: Object.keys(context.env),
    unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true },
    ...(context.signal ? { abort: context.signal } : {}),
  }).env({ ...context.env });
  try {
    return await git.raw([...args]);
  } catch (error) {
    if (context.signal?.aborted) {
      throw new GitError(
        'Timeout',
        `${what} was aborted: ${scrubSecrets(String(context.signal.reason ?? 'deadline passed'), context.secrets)}`,
      );
    }
    const stderr = stderrOf(error);
    throw new GitError(
      classifyGitFailure(stderr),
      `${what} failed: ${summarizeGitStderr(stderr, context.secrets)}`,
    );
  }
}
