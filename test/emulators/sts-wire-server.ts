import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { createGoogleStsRoutes, type GoogleStsOptions } from './google-sts-wire-routes.ts';
import { fetchVerificationKeys, StsFault, verifyToken } from './service-account-tokens.ts';

/**
 * A local AWS STS wire-format server (not an emulator of AWS): it answers
 * `AssumeRoleWithWebIdentity` in STS's query/XML protocol, as the AWS SDK speaks it, after
 * checking the web identity token as STS checks an EKS OIDC token: signature against the test
 * apiserver's JWKS (`/openid/v1/jwks`), issuer, audience, expiry, and that the role trusts the
 * token's subject. The temporary credentials it returns are random; local-kms accepts any.
 *
 * With `gcp` set it also speaks Google's side of workload identity federation (again a
 * wire-format server, not an emulator): STS token exchange (`POST /v1/token`, RFC 8693) with
 * the same token checks, and IAM Credentials `generateAccessToken` for the Google service
 * account a subject may impersonate, which returns an access token the GCP KMS wire-format
 * server accepts.
 */
export interface StsWireServer {
  /** http://127.0.0.1:<port>; the STS endpoint for the SDK. */
  readonly endpoint: string;
  /** Every exchange, accepted or refused, in order. */
  readonly exchanges: readonly StsExchange[];
  /** Google STS exchanges and impersonations: `sts <subject>`, `impersonate <email>`, or `refused <why>`. */
  readonly gcpLog: readonly string[];
  stop(): Promise<void>;
}

export interface StsExchange {
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** The token's `sub`, when it could be read. */
  readonly subject?: string;
  /** Undefined when accepted; else the STS error code sent back. */
  readonly error?: string;
  readonly accessKeyId?: string;
}

export interface StsWireServerOptions {
  /** Admin kubeconfig of the apiserver whose ServiceAccount tokens are accepted. */
  readonly kubeConfig: KubeConfig;
  /** Role ARN → the ServiceAccount subject it trusts (`system:serviceaccount:<ns>:<name>`). */
  readonly trust: Readonly<Record<string, string>>;
  /** Accepted audience (STS: `sts.amazonaws.com`). */
  readonly audience?: string;
  /** Google STS and IAM Credentials, for GCP workload identity federation. */
  readonly gcp?: GoogleStsOptions;
}

function xml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );
}

const namespace = 'https://sts.amazonaws.com/doc/2011-06-15/';

function sendFault(res: ServerResponse, fault: StsFault): void {
  res
    .writeHead(fault.status, { 'content-type': 'text/xml' })
    .end(
      `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${xml(fault.code)}</Code><Message>${xml(fault.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  for (const [key, value] of query) if (!body.has(key)) body.set(key, value);
  return body;
}

/** Starts the server on a loopback port; the JWKS is read from the apiserver once, at start. */
export async function startStsWireServer(options: StsWireServerOptions): Promise<StsWireServer> {
  const keys = await fetchVerificationKeys(options.kubeConfig);
  const audience = options.audience ?? 'sts.amazonaws.com';
  const exchanges: StsExchange[] = [];

  const assumeRole = (form: URLSearchParams, res: ServerResponse) => {
    const roleArn = form.get('RoleArn') ?? '';
    const roleSessionName = form.get('RoleSessionName') ?? '';
    let subject: string | undefined;
    try {
      const claims = verifyToken(form.get('WebIdentityToken') ?? '', keys, audience);
      subject = typeof claims.sub === 'string' ? claims.sub : undefined;
      if (options.trust[roleArn] === undefined || options.trust[roleArn] !== subject) {
        throw new StsFault(
          'AccessDenied',
          'Not authorized to perform sts:AssumeRoleWithWebIdentity',
          403,
        );
      }
      const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
      const expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const roleName = roleArn.slice(roleArn.indexOf(':role/') + 6);
      const account = roleArn.split(':')[4] ?? '';
      exchanges.push({ roleArn, roleSessionName, subject, accessKeyId });
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<AssumeRoleWithWebIdentityResponse xmlns="${namespace}"><AssumeRoleWithWebIdentityResult>` +
            `<SubjectFromWebIdentityToken>${xml(subject)}</SubjectFromWebIdentityToken>` +
            `<Audience>${xml(audience)}</Audience>` +
            `<AssumedRoleUser><Arn>arn:aws:sts::${xml(account)}:assumed-role/${xml(roleName)}/${xml(roleSessionName)}</Arn>` +
            `<AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xml(roleSessionName)}</AssumedRoleId></AssumedRoleUser>` +
            `<Credentials><SessionToken>${randomBytes(32).toString('base64')}</SessionToken>` +
            `<SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>` +
            `<Expiration>${expiration}</Expiration><AccessKeyId>${accessKeyId}</AccessKeyId></Credentials>` +
            `<Provider>${xml(keys.issuer)}</Provider></AssumeRoleWithWebIdentityResult>` +
            `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
        );
    } catch (error) {
      const fault =
        error instanceof StsFault ? error : new StsFault('InternalFailure', 'internal error', 500);
      exchanges.push({
        roleArn,
        roleSessionName,
        ...(subject !== undefined && { subject }),
        error: fault.code,
      });
      sendFault(res, fault);
    }
  };

  const google = createGoogleStsRoutes(options.gcp, keys);

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const impersonate = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(
      decodeURIComponent(path),
    );
    readForm(req)
      .then((form) => {
        if (path === '/v1/token') return google.exchangeToken(form, res);
        if (impersonate?.[1]) return google.impersonate(impersonate[1], req, res);
        if (form.get('Action') !== 'AssumeRoleWithWebIdentity') {
          sendFault(res, new StsFault('InvalidAction', `unsupported Action ${form.get('Action')}`));
          return;
        }
        assumeRole(form, res);
      })
      .catch(() => sendFault(res, new StsFault('InternalFailure', 'bad request', 500)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exchanges,
    gcpLog: google.log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
