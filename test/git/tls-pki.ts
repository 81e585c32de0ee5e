import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../testbed/index.ts';

/** PEM contents of a throwaway CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Creates a CA per run with openssl, then a serving and a client certificate signed by it. */
export async function createTestPki(dir: string): Promise<TestPki> {
  const ca = await createCertificateAuthority(dir, 'kustodian-git-test-ca');
  await Promise.all([
    issueCertificate(
      ca,
      dir,
      'server',
      '/CN=git-server',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    ),
    issueCertificate(ca, dir, 'client', '/CN=git-client', 'extendedKeyUsage=clientAuth\n'),
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
