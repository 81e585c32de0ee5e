import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** File paths of the throwaway PKI one control plane uses. */
export interface ControlPlanePki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed in ${dir}: ${stderr.trim()}`, { cause: error });
  }
}

/** A throwaway certificate authority: paths of its certificate and key. */
export interface CertificateAuthority {
  readonly cert: string;
  readonly key: string;
}

/** Creates a self-signed CA as `ca.crt`/`ca.key` in `dir`. */
export async function createCertificateAuthority(
  dir: string,
  commonName: string,
): Promise<CertificateAuthority> {
  await openssl(dir, ['genrsa', '-out', 'ca.key', '2048']);
  await openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-subj',
    `/CN=${commonName}`,
    '-days',
    '7',
    '-sha256',
    '-out',
    'ca.crt',
  ]);
  return { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
}

/**
 * Signs a client or server certificate with `ca` as `<name>.crt`/`<name>.key` in `dir`;
 * `extensions` is an openssl extfile body.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): Promise<void> {
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, extensions);
  await openssl(dir, ['genrsa', '-out', `${name}.key`, '2048']);
  await openssl(dir, [
    'req',
    '-new',
    '-key',
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
    ca.cert,
    '-CAkey',
    ca.key,
    // A random serial per certificate: a shared serial file races when issued in parallel.
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '7',
    '-sha256',
    '-extfile',
    extFile,
    '-out',
    `${name}.crt`,
  ]);
}

/**
 * Creates a CA, the apiserver's serving certificate (127.0.0.1 and localhost), an admin client
 * certificate in group system:masters, and the service-account signing key pair.
 */
export async function createControlPlanePki(dir: string): Promise<ControlPlanePki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pki: ControlPlanePki = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
  const ca = await createCertificateAuthority(dir, 'kustodian-testbed-ca');
  await Promise.all([
    issueCertificate(
      ca,
      dir,
      'serving',
      '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    ),
    issueCertificate(
      ca,
      dir,
      'admin',
      '/O=system:masters/CN=kustodian-admin',
      'extendedKeyUsage=clientAuth\n',
    ),
    (async () => {
      await openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
      await openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
    })(),
  ]);
  return pki;
}
