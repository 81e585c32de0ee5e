import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  verify,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local GCP KMS wire-format server for the GCP KMS key-source tests. NOT an emulator: no GCP
 * KMS emulator is available to the test bed, so this speaks the documented Cloud KMS REST/JSON
 * wire format (`POST /v1/{name}:encrypt`, `…:decrypt`, google.rpc error bodies) for the REST
 * transport of the real SDK clients (`@google-cloud/kms` with `fallback: 'rest'`, and the Go
 * client in the real sops with `SOPS_GCP_KMS_CLIENT_TYPE=rest` + `SOPS_GCP_KMS_ENDPOINT`).
 *
 * Encryption is real AES-256-GCM with a random key per CryptoKey held in memory. Callers
 * authenticate as Google documents it: a bearer access token from `POST /token` (the OAuth
 * JWT-bearer grant a service account's `token_uri` points at), a pre-issued access token, or a
 * self-signed service-account JWT (what the Google SDKs send when JWT-with-scope is on). JWT
 * signatures are checked against the public keys of service accounts generated here.
 */
export interface GcpKmsWireServer {
  /** http://127.0.0.1:<port>; the SDK's `apiEndpoint`/`port`/`protocol`, sops' endpoint. */
  readonly endpoint: string;
  readonly projectId: string;
  /** projects/…/locations/global/keyRings/kustodian/cryptoKeys/sops: usable by `serviceAccount`. */
  readonly keyName: string;
  /** A service account allowed to use every key; `json` is its key file text. */
  readonly serviceAccount: TestServiceAccount;
  /** A service account whose signature is valid but which has no permission on any key. */
  readonly outsider: TestServiceAccount;
  /** An access token for `serviceAccount`, as `gcloud auth print-access-token` would give. */
  readonly accessToken: string;
  /** Environment that points the real sops at this server (REST client, endpoint). */
  readonly env: Readonly<Record<string, string>>;
  /** Adds a CryptoKey with a fresh AES key; returns its resource name. */
  addKey(keyRing: string, cryptoKey: string): string;
  /** Answers the next `count` KMS calls with 503 UNAVAILABLE (to exercise retries). */
  failNext(count: number): void;
  /** While true, KMS calls are read but never answered (to exercise timeouts). */
  setHanging(hanging: boolean): void;
  /** KMS calls (encrypt/decrypt) received so far, answered or not. */
  readonly calls: number;
  stop(): Promise<void>;
}

export interface TestServiceAccount {
  readonly email: string;
  /** The service-account key file, as `gcloud iam service-accounts keys create` writes it. */
  readonly json: string;
}

interface Account {
  readonly email: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

const KEY_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/:]+)$/;
const ROUTE = /^\/v1\/(projects\/[^:]+):(encrypt|decrypt)$/;
const SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/cloudkms',
];
const SELF_SIGNED_AUDIENCE = 'https://cloudkms.googleapis.com/';

class RpcError extends Error {
  readonly httpStatus: number;
  readonly status: string;
  constructor(httpStatus: number, status: string, message: string) {
    super(message);
    this.httpStatus = httpStatus;
    this.status = status;
  }
}

function newServiceAccount(projectId: string, name: string, tokenUri: string) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = `${name}@${projectId}.iam.gserviceaccount.com`;
  const keyId = randomBytes(20).toString('hex');
  const json = JSON.stringify({
    type: 'service_account',
    project_id: projectId,
    private_key_id: keyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    client_id: String(100000000000000000000n + BigInt(randomBytes(6).readUIntBE(0, 6))),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    universe_domain: 'googleapis.com',
  });
  return { account: { email, keyId, publicKey }, serviceAccount: { email, json } };
}

function base64UrlJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error('not an object');
  return value as Record<string, unknown>;
}

/** The service account that signed `jwt`, if the signature, times and audience/scope hold. */
function verifyJwt(
  jwt: string,
  accounts: ReadonlyMap<string, Account>,
  audiences: readonly string[],
): Account | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  const [head = '', body = '', signature = ''] = parts;
  try {
    const header = base64UrlJson(head);
    const claims = base64UrlJson(body);
    const account = accounts.get(String(claims.iss));
    if (!account || header.alg !== 'RS256' || header.kid !== account.keyId) return undefined;
    const signed = Buffer.from(`${head}.${body}`);
    if (!verify('RSA-SHA256', signed, account.publicKey, Buffer.from(signature, 'base64url')))
      return undefined;
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp < now) return undefined;
    if (typeof claims.iat !== 'number' || claims.iat > now + 60) return undefined;
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    const audienceOk = audiences.includes(String(claims.aud));
    return audienceOk || scopes.some((scope) => SCOPES.includes(scope)) ? account : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}

function sendRpcError(response: ServerResponse, error: RpcError): void {
  sendJson(response, error.httpStatus, {
    error: { code: error.httpStatus, message: error.message, status: error.status },
  });
}

function bytesField(body: Record<string, unknown>, field: string): Buffer {
  const value = body[field];
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value))
    throw new RpcError(400, 'INVALID_ARGUMENT', `Invalid value at '${field}': not base64 bytes`);
  return Buffer.from(value, 'base64');
}

/** Starts the server on an ephemeral loopback port with one key and two service accounts. */
export async function startGcpKmsWireServer(): Promise<GcpKmsWireServer> {
  const projectId = 'kustodian-test';
  const keys = new Map<string, Buffer>();
  const accounts = new Map<string, Account>();
  const tokens = new Map<string, string>();
  const allowed = new Set<string>();
  let failures = 0;
  let hanging = false;
  let calls = 0;
  const held = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof RpcError) sendRpcError(response, error);
      else sendRpcError(response, new RpcError(500, 'INTERNAL', 'Internal error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const tokenUri = `${endpoint}/token`;

  const main = newServiceAccount(projectId, 'kustodian-sops', tokenUri);
  const other = newServiceAccount(projectId, 'outsider', tokenUri);
  for (const { account } of [main, other]) accounts.set(account.email, account);
  allowed.add(main.account.email);
  const accessToken = `ya29.${randomBytes(32).toString('base64url')}`;
  tokens.set(accessToken, main.account.email);

  function addKey(keyRing: string, cryptoKey: string): string {
    const name = `projects/${projectId}/locations/global/keyRings/${keyRing}/cryptoKeys/${cryptoKey}`;
    keys.set(name, randomBytes(32));
    return name;
  }
  const keyName = addKey('kustodian', 'sops');

  function principal(request: IncomingMessage): string {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match?.[1])
      throw new RpcError(
        401,
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token.',
      );
    const email =
      tokens.get(match[1]) ?? verifyJwt(match[1], accounts, [SELF_SIGNED_AUDIENCE])?.email;
    if (!email)
      throw new RpcError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token.',
      );
    return email;
  }

  async function issueToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(request));
    const account =
      form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer'
        ? verifyJwt(form.get('assertion') ?? '', accounts, [tokenUri])
        : undefined;
    if (!account) {
      sendJson(response, 400, { error: 'invalid_grant', error_description: 'Invalid JWT.' });
      return;
    }
    const token = `ya29.${randomBytes(32).toString('base64url')}`;
    tokens.set(token, account.email);
    sendJson(response, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }

  async function kmsCall(
    request: IncomingMessage,
    name: string,
    method: 'encrypt' | 'decrypt',
  ): Promise<Record<string, unknown>> {
    const caller = principal(request);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
    } catch {
      throw new RpcError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    if (!KEY_NAME.test(name))
      throw new RpcError(400, 'INVALID_ARGUMENT', `Resource name [${name}] is not valid.`);
    const key = keys.get(name);
    const permission = `cloudkms.cryptoKeyVersions.useTo${method === 'encrypt' ? 'Encrypt' : 'Decrypt'}`;
    // Like Cloud KMS, a caller without access learns nothing about whether the key exists.
    if (!allowed.has(caller))
      throw new RpcError(
        403,
        'PERMISSION_DENIED',
        `Permission '${permission}' denied on resource '${name}' (or it may not exist).`,
      );
    if (!key) throw new RpcError(404, 'NOT_FOUND', `CryptoKey ${name} not found.`);
    const aad = Buffer.concat([
      Buffer.from(`${name}\0`),
      body.additionalAuthenticatedData === undefined
        ? Buffer.alloc(0)
        : bytesField(body, 'additionalAuthenticatedData'),
    ]);
    if (method === 'encrypt') {
      const plaintext = bytesField(body, 'plaintext');
      if (plaintext.length > 65536)
        throw new RpcError(400, 'INVALID_ARGUMENT', 'Plaintext is larger than 64 KiB.');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
      const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        name: `${name}/cryptoKeyVersions/1`,
        ciphertext: Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64'),
        verifiedPlaintextCrc32c: false,
        verifiedAdditionalAuthenticatedDataCrc32c: false,
        protectionLevel: 'SOFTWARE',
      };
    }
    const ciphertext = bytesField(body, 'ciphertext');
    try {
      if (ciphertext.length < 28) throw new Error('short');
      const decipher = createDecipheriv('aes-256-gcm', key, ciphertext.subarray(0, 12))
        .setAAD(aad)
        .setAuthTag(ciphertext.subarray(-16));
      const plaintext = Buffer.concat([
        decipher.update(ciphertext.subarray(12, -16)),
        decipher.final(),
      ]);
      return { plaintext: plaintext.toString('base64'), usedPrimary: true };
    } catch {
      throw new RpcError(
        400,
        'INVALID_ARGUMENT',
        "Decryption failed: verify that 'name' refers to the correct CryptoKey.",
      );
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', endpoint);
    if (request.method === 'POST' && url.pathname === '/token')
      return issueToken(request, response);
    const route = ROUTE.exec(url.pathname);
    if (request.method !== 'POST' || !route?.[1] || !route[2])
      throw new RpcError(404, 'NOT_FOUND', `No route for ${request.method} ${url.pathname}`);
    calls += 1;
    if (hanging) {
      held.add(response);
      return;
    }
    if (failures > 0) {
      failures -= 1;
      throw new RpcError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
    }
    const name = decodeURIComponent(route[1]);
    sendJson(response, 200, await kmsCall(request, name, route[2] as 'encrypt' | 'decrypt'));
  }

  return {
    endpoint,
    projectId,
    keyName,
    serviceAccount: main.serviceAccount,
    outsider: other.serviceAccount,
    accessToken,
    env: { SOPS_GCP_KMS_CLIENT_TYPE: 'rest', SOPS_GCP_KMS_ENDPOINT: endpoint },
    addKey,
    failNext(count) {
      failures = count;
    },
    setHanging(value) {
      hanging = value;
      if (!value) for (const response of held) response.destroy();
      if (!value) held.clear();
    },
    get calls() {
      return calls;
    },
    async stop() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
