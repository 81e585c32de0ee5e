import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type VerificationKeys, verifyToken } from './service-account-tokens.ts';

/** What the Google side of workload identity federation accepts (see `StsWireServerOptions`). */
export interface GoogleStsOptions {
  /** The workload identity provider (`//iam.googleapis.com/projects/…/providers/…`). */
  readonly audience: string;
  /** ServiceAccount subject → the Google service account email it may impersonate. */
  readonly impersonation: Readonly<Record<string, string>>;
  /** What generateAccessToken returns: an access token the KMS server accepts. */
  readonly accessToken: string;
}

/** Google's two calls of workload identity federation, as request handlers. */
export interface GoogleStsRoutes {
  /** `sts <subject>`, `impersonate <email>`, or `refused <why>`, in order. */
  readonly log: readonly string[];
  /** STS token exchange (`POST /v1/token`, RFC 8693). */
  exchangeToken(form: URLSearchParams, res: ServerResponse): void;
  /** IAM Credentials `generateAccessToken` for `email`, with a federated token as bearer. */
  impersonate(email: string, req: IncomingMessage, res: ServerResponse): void;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * A wire-format server's routes (not an emulator) for Google STS and IAM Credentials: the
 * token exchange checks the ServiceAccount token as Google STS checks an OIDC token, and
 * `generateAccessToken` hands out `gcp.accessToken` to a subject allowed to impersonate.
 * Without `gcp` every call is refused.
 */
export function createGoogleStsRoutes(
  gcp: GoogleStsOptions | undefined,
  keys: VerificationKeys,
): GoogleStsRoutes {
  const log: string[] = [];
  const federated = new Map<string, string>();

  return {
    log,
    exchangeToken(form, res) {
      try {
        if (!gcp) throw new Error('GCP is not configured on this server');
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange')
          throw new Error('unsupported grant_type');
        if (form.get('audience') !== gcp.audience) throw new Error('unknown audience');
        const claims = verifyToken(form.get('subject_token') ?? '', keys, gcp.audience);
        const subject = String(claims.sub);
        const token = `fed.${randomBytes(24).toString('base64url')}`;
        federated.set(token, subject);
        log.push(`sts ${subject}`);
        sendJson(res, 200, {
          access_token: token,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        });
      } catch (error) {
        const why = error instanceof Error ? error.message : 'invalid';
        log.push(`refused ${why}`);
        sendJson(res, 400, { error: 'invalid_grant', error_description: why });
      }
    },
    impersonate(email, req, res) {
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const subject = federated.get(bearer);
      if (!gcp || subject === undefined || gcp.impersonation[subject] !== email) {
        log.push(`refused impersonation of ${email}`);
        sendJson(res, 403, {
          error: {
            code: 403,
            message: `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`,
            status: 'PERMISSION_DENIED',
          },
        });
        return;
      }
      log.push(`impersonate ${email}`);
      const expireTime = new Date(Date.now() + 3_600_000).toISOString();
      sendJson(res, 200, { accessToken: gcp.accessToken, expireTime });
    },
  };
}
