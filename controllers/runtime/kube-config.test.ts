import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeConfigError, loadKubeConfig, parseKubeConfig } from './kube-config.ts';

const secretToken = 'never-in-a-message-token';

function kubeconfig(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = { server: 'https://k8s.example:6443/' },
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [
      { name: 'main', context: { cluster: 'c', user: 'u' } },
      { name: 'other', context: { cluster: 'missing', user: 'u' } },
    ],
    'current-context': 'main',
  });
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('parseKubeConfig', () => {
  it.each([
    {
      name: 'inline certificate data is decoded',
      input: kubeconfig(
        { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
        { server: 'https://k8s.example:6443', 'certificate-authority-data': b64('CA') },
      ),
      want: { server: 'https://k8s.example:6443', ca: 'CA', cert: 'CERT', key: 'KEY' },
    },
    {
      name: 'a bearer token and impersonation are taken',
      input: kubeconfig({ token: secretToken, as: 'system:serviceaccount:a:b' }),
      want: { token: secretToken, impersonateUser: 'system:serviceaccount:a:b' },
    },
    {
      name: 'insecure-skip-tls-verify and tls-server-name are taken',
      input: kubeconfig(
        {},
        { server: 'https://10.0.0.1', 'insecure-skip-tls-verify': true, 'tls-server-name': 'k' },
      ),
      want: { insecureSkipTlsVerify: true, tlsServerName: 'k' },
    },
  ])('$name', ({ input, want }) => {
    const config = parseKubeConfig(input, { where: 'test' });
    const shown = Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : v]),
    );
    expect(shown).toMatchObject(want);
  });

  it('reads file references relative to the kubeconfig directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-config-'));
    writeFileSync(join(dir, 'ca.crt'), 'CA FROM FILE');
    const config = parseKubeConfig(
      kubeconfig(
        { tokenFile: 'token' },
        { server: 'https://x', 'certificate-authority': 'ca.crt' },
      ),
      { where: 'test', baseDir: dir },
    );
    expect(config.ca?.toString()).toBe('CA FROM FILE');
    expect(config.tokenFile).toBe(join(dir, 'token'));
  });

  it('keeps exec and auth-provider users apart for the caller to decide', () => {
    const exec = parseKubeConfig(
      kubeconfig({ exec: { command: 'get-token', args: ['--x'], apiVersion: 'v1' } }),
      { where: 'test' },
    );
    expect(exec.exec).toEqual({ command: 'get-token', args: ['--x'], env: [], apiVersion: 'v1' });
    const provider = parseKubeConfig(kubeconfig({ 'auth-provider': { name: 'oidc' } }), {
      where: 'test',
    });
    expect(provider.authProvider).toBe('oidc');
  });

  it.each([
    { name: 'unparsable text', input: `token: ${secretToken}\n  : [`, want: 'not valid YAML' },
    { name: 'no current context', input: '{}', want: 'no current-context' },
    {
      name: 'a context naming a missing cluster',
      input: kubeconfig({ token: secretToken }).replace(
        '"current-context":"main"',
        '"current-context":"other"',
      ),
      want: "no cluster named 'missing'",
    },
    {
      name: 'a cluster without server',
      input: kubeconfig({ token: secretToken }, {}),
      want: "cluster 'c' has no server",
    },
  ])('$name is refused without quoting a credential', ({ input, want }) => {
    let error: unknown;
    try {
      parseKubeConfig(input, { where: 'kubeconfig x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toContain(want);
    expect((error as Error).message).toContain('kubeconfig x');
    expect((error as Error).message).not.toContain(secretToken);
  });
});

describe('loadKubeConfig', () => {
  it('prefers --kubeconfig, then the first existing file of KUBECONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-config-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, kubeconfig({ token: 'a' }, { server: 'https://a' }));
    writeFileSync(b, kubeconfig({ token: 'b' }, { server: 'https://b' }));
    const env = { KUBECONFIG: [join(dir, 'absent'), b].join(':') };
    expect(loadKubeConfig({ path: a, env }).server).toBe('https://a');
    expect(loadKubeConfig({ env }).server).toBe('https://b');
  });

  it('names the file and what to do when nothing is readable', () => {
    expect(() => loadKubeConfig({ path: '/nonexistent/kubeconfig', env: {} })).toThrow(
      /cannot read kubeconfig '\/nonexistent\/kubeconfig': pass --kubeconfig/,
    );
  });
});
