import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM contents of a throwaway CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed in ${dir}: ${stderr.trim()}`, { cause: error });
  }
}

async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, [
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-subj',
    subject,
    '-out',
    `${name}.csr`,
  ]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    // A random serial per certificate: a shared serial file races when issued in parallel.
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '2',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

/** Creates a CA per run with openssl, then a serving and a client certificate signed by it. */
export async function createTestPki(dir: string): Promise<TestPki> {
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-subj',
    '/CN=kustodian-git-test-ca',
    '-days',
    '2',
    '-sha256',
    '-out',
    'ca.crt',
  ]);
  await Promise.all([
    issue(
      dir,
      'server',
      '/CN=git-server',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    ),
    issue(dir, 'client', '/CN=git-client', 'extendedKeyUsage=clientAuth\n'),
  ]);
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  return {
    caCert: await read('ca.crt'),
    serverCert: await read('server.crt'),
    serverKey: await read('server.key'),
    clientCert: await read('client.crt'),
    clientKey: await read('client.key'),
  };
}
