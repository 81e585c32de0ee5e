import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { type RequestOptions, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * What a cloud identity service checks of a Kubernetes ServiceAccount token (an OIDC relying
 * party: AWS STS for EKS, Google STS for workload identity federation): the test apiserver's
 * issuer and JWKS, the signature, the audience and the expiry.
 */
export interface VerificationKeys {
  readonly issuer: string;
  readonly keys: readonly (JsonWebKey & { kid?: string })[];
}

/** A token the identity service refuses: `code` is the STS error code it answers with. */
export class StsFault extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** GETs a JSON document from the apiserver with the admin credentials and `accept`. */
async function getJson(kubeConfig: KubeConfig, path: string, accept: string): Promise<unknown> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  const options: RequestOptions = { method: 'GET', headers: { accept } };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The apiserver's ServiceAccount token issuer and its signing keys, as an OIDC relying party sees them. */
export async function serviceAccountIssuer(
  kubeConfig: KubeConfig,
): Promise<{ issuer: string; publicKeys: KeyObject[] }> {
  const keys = await fetchVerificationKeys(kubeConfig);
  return {
    issuer: keys.issuer,
    publicKeys: keys.keys.map((key) => createPublicKey({ key, format: 'jwk' })),
  };
}

export async function fetchVerificationKeys(kubeConfig: KubeConfig): Promise<VerificationKeys> {
  // The JWKS is served only as application/jwk-set+json, which the JSON transport does not ask for.
  const discovery = (await getJson(
    kubeConfig,
    '/.well-known/openid-configuration',
    'application/json',
  )) as { issuer?: string };
  const jwks = (await getJson(kubeConfig, '/openid/v1/jwks', 'application/jwk-set+json')) as {
    keys?: (JsonWebKey & { kid?: string })[];
  };
  if (!discovery.issuer || !jwks.keys?.length) {
    throw new Error('the apiserver publishes no service account issuer or JWKS');
  }
  return { issuer: discovery.issuer, keys: jwks.keys };
}

function decodeJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Error('not an object');
  return value as Record<string, unknown>;
}

/** Verifies a ServiceAccount JWT (RS256 or ES256) and returns its claims. */
export function verifyToken(
  token: string,
  keys: VerificationKeys,
  audience: string,
): Record<string, unknown> {
  const parts = token.split('.');
  const [header64, payload64, signature64] = parts;
  if (parts.length !== 3 || !header64 || !payload64 || !signature64) {
    throw new StsFault('InvalidIdentityToken', 'the web identity token is not a JWT');
  }
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeJson(header64);
    claims = decodeJson(payload64);
  } catch {
    throw new StsFault('InvalidIdentityToken', 'the web identity token cannot be decoded');
  }
  const jwk = keys.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new StsFault('InvalidIdentityToken', 'no verification key matches the kid');
  const algorithm = header.alg === 'RS256' || header.alg === 'ES256' ? 'sha256' : undefined;
  if (!algorithm)
    throw new StsFault('InvalidIdentityToken', `unsupported alg ${String(header.alg)}`);
  const valid = verify(
    algorithm,
    Buffer.from(`${header64}.${payload64}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature64, 'base64url'),
  );
  if (!valid) throw new StsFault('InvalidIdentityToken', 'the token signature is invalid');
  if (claims.iss !== keys.issuer) {
    throw new StsFault('InvalidIdentityToken', 'the token issuer is not trusted');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(audience)) {
    throw new StsFault('InvalidIdentityToken', 'Incorrect token audience');
  }
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < now) {
    throw new StsFault('ExpiredTokenException', 'the token is expired');
  }
  return claims;
}
