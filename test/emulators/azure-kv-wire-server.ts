import {
  constants,
  createHash,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent, createServer, type RequestOptions } from 'node:https';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { createCertificateAuthority, issueCertificate } from '../testbed/pki.ts';
import {
  createEntraDirectory,
  type FederatedCredential,
  json,
  readBody,
} from './entra-token-wire-server.ts';

/** Host names the server answers for: reserved `.test` names, plus Entra's instance discovery. */
const VAULT_DOMAIN = 'vault.azure.test';
const LOGIN_HOST = 'login.kustodian.test';
// MSAL asks this host for instance discovery of any authority it does not know.
const DISCOVERY_HOST = 'login.microsoftonline.com';

/** A running local Azure Key Vault + Entra token wire-format server. */
export interface AzureKvWireServer {
  /** https://kustodian.vault.azure.test: the vault, reached only through `agent` or `proxyUrl`. */
  readonly vaultUrl: string;
  /** https://login.kustodian.test: the Entra authority host (AZURE_AUTHORITY_HOST). */
  readonly authorityHost: string;
  readonly tenantId: string;
  /** PEM file of the CA that signed the server's certificate (SSL_CERT_FILE for Go). */
  readonly caCertPath: string;
  /** Sends every HTTPS request, whatever its host, to this server, trusting its CA. */
  readonly agent: Agent;
  /** http://127.0.0.1:<port>: a CONNECT proxy to the server, for clients such as sops (HTTPS_PROXY). */
  readonly proxyUrl: string;
  /** `METHOD host/path` per request, `token <clientId> <secret|certificate|federated>` per token. */
  readonly log: readonly string[];
  /** Creates an RSA-2048 key (or a new version of it); returns the version. */
  createKey(name: string): string;
  keyUrl(name: string, version?: string): string;
  registerClientSecret(clientId: string, secret: string): void;
  /** Lets `clientId` sign in with a federated token (Azure Workload Identity). */
  registerFederatedCredential(clientId: string, credential: FederatedCredential): void;
  /** Issues a client certificate for `clientId`; returns its PEM (certificate + private key) and path. */
  registerClientCertificate(clientId: string): Promise<{ pem: string; path: string }>;
  /** While true, vault calls get no answer (a hanging service). */
  setHanging(hanging: boolean): void;
  stop(): Promise<void>;
}

interface VaultKey {
  version: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  jwk: { n: string; e: string };
}

function vaultError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { code, message } });
}

/** Routes every connection to the server's port, keeping the original name for SNI and checks. */
class LoopbackAgent extends Agent {
  readonly #port: number;
  constructor(port: number, ca: string) {
    super({ ca, keepAlive: false });
    this.#port = port;
  }
  override createConnection(options: RequestOptions): Duplex {
    const servername = options.servername ?? options.hostname ?? options.host ?? undefined;
    return tlsConnect({
      ...(options as object),
      host: '127.0.0.1',
      port: this.#port,
      ...(servername ? { servername } : {}),
    });
  }
}

/**
 * Starts a local wire-format server (not an emulator) speaking the documented Azure Key Vault
 * REST API for keys (GET key; encrypt, decrypt, wrapkey, unwrapkey with RSA-OAEP(-256) on a
 * real RSA key per version), with Key Vault's 401 bearer challenge, and the Entra ID endpoints
 * a confidential client calls: instance discovery, OpenID configuration and the v2.0 token
 * endpoint (client secret or certificate assertion). It serves HTTPS on loopback with a
 * throwaway CA; clients reach its `.test` names through `agent` or the CONNECT proxy.
 */
export async function startAzureKvWireServer(): Promise<AzureKvWireServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-azure-kv-wire-'));
  const ca = await createCertificateAuthority(dir, 'kustodian-azure-kv-wire-ca');
  const names = [`*.${VAULT_DOMAIN}`, LOGIN_HOST, DISCOVERY_HOST, 'localhost'];
  await issueCertificate(
    ca,
    dir,
    'server',
    '/CN=azure-kv-wire-server',
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`,
  );
  const [caPem, certPem, keyPem] = await Promise.all(
    ['ca.crt', 'server.crt', 'server.key'].map((f) => readFile(join(dir, f), 'utf8')),
  );
  const vaultHost = `kustodian.${VAULT_DOMAIN}`;
  const vaultUrl = `https://${vaultHost}`;
  const log: string[] = [];
  const entra = createEntraDirectory(LOGIN_HOST, log);
  const { tenantId, authorityHost } = entra;
  const resource = `https://${VAULT_DOMAIN}`;
  const keys = new Map<string, VaultKey[]>();
  let hanging = false;

  function keyBundle(name: string, key: VaultKey) {
    const now = Math.floor(Date.now() / 1000);
    return {
      key: {
        kid: `${vaultUrl}/keys/${name}/${key.version}`,
        kty: 'RSA',
        key_ops: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
        ...key.jwk,
      },
      attributes: {
        enabled: true,
        created: now,
        updated: now,
        recoveryLevel: 'Recoverable+Purgeable',
      },
    };
  }

  async function vault(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (hanging) return;
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (auth === undefined || entra.tokenResource(auth) !== resource) {
      await readBody(req);
      return json(
        res,
        401,
        {
          error: {
            code: 'Unauthorized',
            message: 'AKV10000: Request is missing a Bearer or PoP token.',
          },
        },
        {
          'www-authenticate': `Bearer authorization="${authorityHost}/${tenantId}", resource="${resource}"`,
        },
      );
    }
    if (!url.searchParams.get('api-version'))
      return vaultError(res, 400, 'BadParameter', 'The api-version query parameter is required.');
    const [, collection, name, version = '', operation = ''] = url.pathname.split('/');
    const versions = collection === 'keys' && name ? keys.get(name) : undefined;
    const key = version === '' ? versions?.at(-1) : versions?.find((k) => k.version === version);
    if (!name || !key)
      return vaultError(
        res,
        404,
        'KeyNotFound',
        `A key with (name/id) ${name ?? ''}/${version} was not found in this key vault.`,
      );
    if (req.method === 'GET' && operation === '') return json(res, 200, keyBundle(name, key));
    if (
      req.method !== 'POST' ||
      !['encrypt', 'decrypt', 'wrapkey', 'unwrapkey'].includes(operation)
    )
      return vaultError(
        res,
        405,
        'MethodNotAllowed',
        `${req.method} ${url.pathname} is not supported.`,
      );
    const body = JSON.parse((await readBody(req)) || '{}') as { alg?: string; value?: string };
    const oaepHash =
      body.alg === 'RSA-OAEP-256' ? 'sha256' : body.alg === 'RSA-OAEP' ? 'sha1' : undefined;
    if (!oaepHash || typeof body.value !== 'string')
      return vaultError(
        res,
        400,
        'BadParameter',
        'Property alg must be RSA-OAEP or RSA-OAEP-256 and value is required.',
      );
    const input = Buffer.from(body.value, 'base64url');
    const padding = constants.RSA_PKCS1_OAEP_PADDING;
    let out: Buffer;
    try {
      out =
        operation === 'encrypt' || operation === 'wrapkey'
          ? publicEncrypt({ key: key.publicKey, padding, oaepHash }, input)
          : privateDecrypt({ key: key.privateKey, padding, oaepHash }, input);
    } catch {
      return vaultError(res, 400, 'BadParameter', 'The parameter is incorrect.');
    }
    return json(res, 200, {
      kid: `${vaultUrl}/keys/${name}/${key.version}`,
      value: out.toString('base64url'),
    });
  }

  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const url = new URL(req.url ?? '/', `https://${host}`);
    log.push(`${req.method} ${host}${url.pathname}`);
    const handler =
      host === vaultHost
        ? vault
        : host === LOGIN_HOST || host === DISCOVERY_HOST
          ? entra.handle
          : undefined;
    if (!handler)
      return void json(res, 404, { error: { code: 'NotFound', message: `No such host ${host}` } });
    handler(req, res, url).catch((error: unknown) => {
      if (!res.headersSent) vaultError(res, 500, 'InternalError', String(error));
    });
  });
  // The CONNECT proxy: lets Go's HTTPS_PROXY support reach the `.test` names without DNS.
  const proxy = createHttpServer((_req, res) => void res.writeHead(405).end());
  const sockets = new Set<Socket>();
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = (req.url ?? '').replace(/:\d+$/, '');
    log.push(`CONNECT ${target}`);
    if (target !== vaultHost && target !== LOGIN_HOST && target !== DISCOVERY_HOST) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = netConnect((server.address() as AddressInfo).port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
  });
  await Promise.all(
    [server, proxy].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
  );
  const port = (server.address() as AddressInfo).port;

  return {
    vaultUrl,
    authorityHost,
    tenantId,
    caCertPath: ca.cert,
    agent: new LoopbackAgent(port, caPem ?? ''),
    proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    log,
    createKey(name) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
      const version = randomBytes(16).toString('hex');
      keys.set(name, [
        ...(keys.get(name) ?? []),
        { version, publicKey, privateKey, jwk: { n: jwk.n, e: jwk.e } },
      ]);
      return version;
    },
    keyUrl: (name, version) =>
      `${vaultUrl}/keys/${name}${version === undefined ? '' : `/${version}`}`,
    registerClientSecret: entra.registerClientSecret,
    registerFederatedCredential: entra.registerFederatedCredential,
    async registerClientCertificate(clientId) {
      const file = `client-${createHash('sha256').update(clientId).digest('hex').slice(0, 12)}`;
      await issueCertificate(ca, dir, file, `/CN=${file}`, 'extendedKeyUsage=clientAuth\n');
      const [cert, key] = await Promise.all(
        ['crt', 'key'].map((ext) => readFile(join(dir, `${file}.${ext}`), 'utf8')),
      );
      entra.registerClientCertificate(clientId, new X509Certificate(cert ?? ''));
      const pem = `${cert}${key}`;
      const path = join(dir, `${file}.pem`);
      await writeFile(path, pem, { mode: 0o600 });
      return { pem, path };
    },
    setHanging(value) {
      hanging = value;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      for (const s of [server, proxy]) s.closeAllConnections();
      await Promise.all(
        [server, proxy].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
