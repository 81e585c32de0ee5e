import {
  constants,
  createHash,
  type KeyObject,
  randomBytes,
  randomUUID,
  timingSafeEqual,
  verify,
  type X509Certificate,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What Entra checks of a federated token (workload identity): issuer, subject, audience, key. */
export interface FederatedCredential {
  issuer: string;
  subject: string;
  /** Default `api://AzureADTokenExchange`, as Azure Workload Identity uses. */
  audience?: string;
  /** The issuer's signing key (e.g. the test apiserver's service-account public key). */
  publicKey: KeyObject;
}

/**
 * The Entra ID (Azure AD) endpoints a confidential client calls, for one tenant: instance
 * discovery, OpenID configuration and the v2.0 token endpoint (client_credentials with a client
 * secret, a certificate-signed assertion, or a federated token). A local wire-format server,
 * not an emulator: only what MSAL for Node and Go send is implemented.
 */
export interface EntraDirectory {
  readonly tenantId: string;
  readonly authorityHost: string;
  registerClientSecret(clientId: string, secret: string): void;
  registerClientCertificate(clientId: string, cert: X509Certificate): void;
  registerFederatedCredential(clientId: string, credential: FederatedCredential): void;
  /** The resource an unexpired access token was issued for, if any. */
  tokenResource(accessToken: string): string | undefined;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function entraError(
  res: ServerResponse,
  status: number,
  error: string,
  code: number,
  text: string,
) {
  json(res, status, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${randomUUID()}`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

interface Jwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  input: Buffer;
  signature: Buffer;
}

function decodeJwt(jwt: string): Jwt | undefined {
  const [head, payload, signature] = jwt.split('.');
  if (!head || !payload || !signature) return undefined;
  try {
    return {
      header: JSON.parse(Buffer.from(head, 'base64url').toString()),
      claims: JSON.parse(Buffer.from(payload, 'base64url').toString()),
      input: Buffer.from(`${head}.${payload}`),
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

function isSignedBy(jwt: Jwt, key: KeyObject): boolean {
  if (jwt.header.alg === 'PS256')
    return verify(
      'sha256',
      jwt.input,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      jwt.signature,
    );
  return jwt.header.alg === 'RS256' && verify('sha256', jwt.input, key, jwt.signature);
}

function isCurrent(claims: Record<string, unknown>): boolean {
  const now = Date.now() / 1000;
  return typeof claims.exp === 'number' && claims.exp > now && !(Number(claims.nbf) > now + 60);
}

/** An RFC 7523 client assertion signed by the registered certificate's key. */
function isCertificateAssertion(jwt: Jwt, cert: X509Certificate, clientId: string, aud: string) {
  // MSAL for Go writes the thumbprint in standard base64, MSAL for Node in base64url.
  const thumbprint = (value: unknown, algorithm: string) =>
    typeof value === 'string' &&
    Buffer.from(value, 'base64').equals(createHash(algorithm).update(cert.raw).digest());
  return (
    (thumbprint(jwt.header['x5t#S256'], 'sha256') || thumbprint(jwt.header.x5t, 'sha1')) &&
    isSignedBy(jwt, cert.publicKey) &&
    jwt.claims.iss === clientId &&
    jwt.claims.sub === clientId &&
    jwt.claims.aud === aud &&
    isCurrent(jwt.claims)
  );
}

function isFederatedToken(jwt: Jwt, credential: FederatedCredential): boolean {
  const audience = credential.audience ?? 'api://AzureADTokenExchange';
  const aud = jwt.claims.aud;
  return (
    isSignedBy(jwt, credential.publicKey) &&
    jwt.claims.iss === credential.issuer &&
    jwt.claims.sub === credential.subject &&
    (aud === audience || (Array.isArray(aud) && aud.includes(audience))) &&
    isCurrent(jwt.claims)
  );
}

/** Creates the tenant; `log` gets `token <clientId> <secret|certificate|federated>` per token. */
export function createEntraDirectory(loginHost: string, log: string[]): EntraDirectory {
  const tenantId = randomUUID();
  const authorityHost = `https://${loginHost}`;
  const base = `${authorityHost}/${tenantId}`;
  const tokenEndpoint = `${base}/oauth2/v2.0/token`;
  const secrets = new Map<string, string>();
  const certificates = new Map<string, X509Certificate>();
  const federated = new Map<string, FederatedCredential[]>();
  const tokens = new Map<string, { resource: string; expires: number }>();

  function authenticate(form: URLSearchParams, clientId: string) {
    const secret = secrets.get(clientId);
    const given = form.get('client_secret');
    if (given !== null) {
      const [a, b] = [Buffer.from(given), Buffer.from(secret ?? '')];
      return secret !== undefined && a.length === b.length && timingSafeEqual(a, b)
        ? 'secret'
        : { code: 7000215, text: 'Invalid client secret provided.' };
    }
    const jwt = decodeJwt(form.get('client_assertion') ?? '');
    if (!jwt) return { code: 7000218, text: 'The request body must contain a client credential.' };
    const cert = certificates.get(clientId);
    if (cert && isCertificateAssertion(jwt, cert, clientId, tokenEndpoint)) return 'certificate';
    if ((federated.get(clientId) ?? []).some((c) => isFederatedToken(jwt, c))) return 'federated';
    return { code: 700027, text: 'Client assertion failed signature or claims validation.' };
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const clientId = form.get('client_id') ?? '';
    if (form.get('grant_type') !== 'client_credentials')
      return entraError(res, 400, 'unsupported_grant_type', 70003, 'Unsupported grant type.');
    if (!secrets.has(clientId) && !certificates.has(clientId) && !federated.has(clientId))
      return entraError(
        res,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory.`,
      );
    const method = authenticate(form, clientId);
    if (typeof method !== 'string')
      return entraError(res, 401, 'invalid_client', method.code, method.text);
    const resource = (form.get('scope') ?? '')
      .split(' ')
      .find((s) => s.endsWith('/.default'))
      ?.slice(0, -'/.default'.length);
    if (!resource) return entraError(res, 400, 'invalid_scope', 1002012, 'The scope is not valid.');
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { resource, expires: Date.now() + 3_600_000 });
    log.push(`token ${clientId} ${method}`);
    json(res, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: accessToken,
    });
  }

  return {
    tenantId,
    authorityHost,
    registerClientSecret: (clientId, secret) => void secrets.set(clientId, secret),
    registerClientCertificate: (clientId, cert) => void certificates.set(clientId, cert),
    registerFederatedCredential(clientId, credential) {
      federated.set(clientId, [...(federated.get(clientId) ?? []), credential]);
    },
    tokenResource(accessToken) {
      const found = tokens.get(accessToken);
      return found && found.expires > Date.now() ? found.resource : undefined;
    },
    async handle(req, res, url) {
      if (req.method === 'GET' && url.pathname === '/common/discovery/instance') {
        const endpoint = url.searchParams.get('authorization_endpoint') ?? '';
        const host = URL.canParse(endpoint) ? new URL(endpoint).host : '';
        if (host !== loginHost)
          return entraError(res, 400, 'invalid_instance', 50049, 'Unknown or invalid instance.');
        return json(res, 200, {
          tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        });
      }
      const [, tenant, ...rest] = url.pathname.split('/');
      if (tenant !== tenantId)
        return entraError(res, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
      const path = rest.join('/');
      if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration')
        return json(res, 200, {
          token_endpoint: tokenEndpoint,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          issuer: `${base}/v2.0`,
          response_types_supported: ['code', 'id_token', 'token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
        });
      if (req.method === 'POST' && path === 'oauth2/v2.0/token') return token(req, res);
      return entraError(res, 404, 'invalid_request', 900561, 'Unknown endpoint.');
    },
  };
}
