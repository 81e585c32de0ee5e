import { describe, expect, it } from 'vitest';
import { classifyGitFailure, scrubSecrets, summarizeGitStderr } from './git-error.ts';

describe('git errors', () => {
  it.each([
    {
      name: 'http auth',
      stderr: "fatal: Authentication failed for 'https://h/r.git/'",
      want: 'AuthenticationFailed',
    },
    {
      name: 'ssh publickey',
      stderr: 'root@127.0.0.1: Permission denied (publickey).',
      want: 'AuthenticationFailed',
    },
    {
      name: 'host key',
      stderr: 'Host key verification failed.\nfatal: Could not read from remote repository.',
      want: 'HostKeyVerificationFailed',
    },
    {
      name: 'tls',
      stderr:
        "fatal: unable to access 'https://h/': SSL certificate problem: self-signed certificate in certificate chain",
      want: 'TLSVerificationFailed',
    },
    {
      name: 'refused',
      stderr:
        "fatal: unable to access 'https://h/': Failed to connect to 127.0.0.1 port 1: Connection refused",
      want: 'Unreachable',
    },
    {
      name: 'missing ref',
      stderr: "fatal: couldn't find remote ref refs/heads/x",
      want: 'ReferenceNotFound',
    },
    { name: 'other', stderr: 'fatal: something odd', want: 'GitOperationFailed' },
  ])('$name → $want', ({ stderr, want }) => {
    expect(classifyGitFailure(stderr)).toBe(want);
  });

  it('scrubs secrets and URL credentials', () => {
    const out = scrubSecrets('https://user:hunter22@host/r.git said hunter22', ['hunter22']);
    expect(out).toBe('https://***@host/r.git said ***');
    expect(out).not.toContain('hunter22');
  });

  it('summaries keep fatal lines and drop secrets', () => {
    const out = summarizeGitStderr('hint: x\nfatal: bad token tok-1234\n', ['tok-1234']);
    expect(out).toBe('fatal: bad token ***');
  });
});
