import { describe, expect, it } from 'vitest';
import { GitError, type GitErrorCode } from './git-error.ts';
import { checkoutFailure, verificationFailure } from './git-repository-failure.ts';
import { VerificationError, type VerificationErrorCode } from './signature-verify.ts';

describe('checkoutFailure', () => {
  it.each<{
    name: string;
    code: GitErrorCode;
    want: { reason: string; kind: string; prefix: string };
  }>([
    {
      name: 'refused credentials are a GitOperationFailed fetch failure, as Flux reports them',
      code: 'AuthenticationFailed',
      want: {
        reason: 'GitOperationFailed',
        kind: 'generic',
        prefix: 'failed to checkout and determine revision: AuthenticationFailed:',
      },
    },
    {
      name: 'an unknown host key is a GitOperationFailed fetch failure',
      code: 'HostKeyVerificationFailed',
      want: {
        reason: 'GitOperationFailed',
        kind: 'generic',
        prefix: 'failed to checkout and determine revision: HostKeyVerificationFailed:',
      },
    },
    {
      name: 'a missing ref is a GitOperationFailed fetch failure',
      code: 'ReferenceNotFound',
      want: {
        reason: 'GitOperationFailed',
        kind: 'generic',
        prefix: 'failed to checkout and determine revision: ReferenceNotFound:',
      },
    },
    {
      name: 'an unusable secret is AuthenticationFailed',
      code: 'InvalidSecret',
      want: {
        reason: 'AuthenticationFailed',
        kind: 'generic',
        prefix: 'failed to configure authentication options:',
      },
    },
    {
      name: 'an invalid URL stalls with URLInvalid',
      code: 'InvalidURL',
      want: { reason: 'URLInvalid', kind: 'stalling', prefix: 'boom' },
    },
    {
      name: 'a missing sparse directory is GitOperationFailed',
      code: 'PathNotFound',
      want: {
        reason: 'GitOperationFailed',
        kind: 'generic',
        prefix: 'failed to sparse checkout directories',
      },
    },
  ])('$name', ({ code, want }) => {
    const failure = checkoutFailure(new GitError(code, 'boom'));
    expect(failure.reason).toBe(want.reason);
    expect(failure.kind).toBe(want.kind);
    expect(failure.condition).toBe('FetchFailed');
    expect(failure.message.startsWith(want.prefix)).toBe(true);
  });
});

describe('verificationFailure', () => {
  it.each<{ name: string; code: VerificationErrorCode; kind: string }>([
    { name: 'an unsigned commit is retried', code: 'InvalidCommitSignature', kind: 'generic' },
    { name: 'an unsigned tag is retried', code: 'InvalidGitObject', kind: 'generic' },
    { name: 'tag mode without a tag stalls', code: 'InvalidVerificationMode', kind: 'stalling' },
  ])('$name', ({ code, kind }) => {
    const failure = verificationFailure(new VerificationError(code, 'bad'));
    expect(failure).toMatchObject({
      reason: code,
      kind,
      condition: 'SourceVerified',
      message: 'bad',
    });
  });
});
