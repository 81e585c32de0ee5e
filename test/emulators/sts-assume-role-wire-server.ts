import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One AssumeRole call as the server saw it. */
export interface AssumeRoleCall {
  roleArn: string;
  sessionName: string;
  /** The access key id the caller signed with (from the SigV4 Authorization header). */
  callerAccessKeyId: string;
  /** The temporary access key id handed out. */
  issuedAccessKeyId: string;
}

export interface StsAssumeRoleWireServer {
  readonly endpoint: string;
  readonly calls: readonly AssumeRoleCall[];
  stop(): Promise<void>;
}

/** One request seen by the recording proxy. */
export interface ProxiedCall {
  /** `TrentService.Encrypt`, `TrentService.Decrypt`, … */
  target: string;
  accessKeyId: string;
}

export interface RecordingProxy {
  readonly endpoint: string;
  readonly calls: readonly ProxiedCall[];
  stop(): Promise<void>;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function accessKeyOf(request: IncomingMessage): string {
  return /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve(`http://127.0.0.1:${port}`);
    }),
  );
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * A local server speaking STS's documented query/XML wire format for `AssumeRole` only, as the
 * AWS SDKs (JS v3 and Go v2, hence sops) send it. There is no STS emulator in the test bed; this
 * checks no signature (local-kms checks none either) but records who called for which role, and
 * refuses any role not in `roles`.
 */
export async function startStsAssumeRoleWireServer(
  roles: readonly string[],
): Promise<StsAssumeRoleWireServer> {
  const calls: AssumeRoleCall[] = [];
  const server = createServer(async (request, response) => {
    const form = new URLSearchParams((await bodyOf(request)).toString('utf8'));
    const roleArn = form.get('RoleArn') ?? '';
    if (form.get('Action') !== 'AssumeRole' || !roles.includes(roleArn)) {
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
          `<Message>not authorized to assume ${roleArn}</Message></Error>` +
          `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    const issuedAccessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const sessionName = form.get('RoleSessionName') ?? '';
    calls.push({
      roleArn,
      sessionName,
      callerAccessKeyId: accessKeyOf(request),
      issuedAccessKeyId,
    });
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${issuedAccessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>${randomBytes(20).toString('hex')}</SecretAccessKey>` +
        `<SessionToken>${randomBytes(32).toString('base64')}</SessionToken>` +
        `<Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROATEST:${sessionName}</AssumedRoleId>` +
        `<Arn>${roleArn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/${sessionName}</Arn>` +
        `</AssumedRoleUser></AssumeRoleResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  });
  const endpoint = await listen(server);
  return { endpoint, calls, stop: () => close(server) };
}

/** An HTTP proxy in front of local-kms recording which access key signed each KMS call. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const calls: ProxiedCall[] = [];
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    calls.push({
      target: String(request.headers['x-amz-target'] ?? ''),
      accessKeyId: accessKeyOf(request),
    });
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'x-amz-target'])
      if (request.headers[name]) headers[name] = String(request.headers[name]);
    const answer = await fetch(`${target}${request.url ?? '/'}`, {
      method: request.method ?? 'POST',
      headers,
      body,
    });
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.1',
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  const endpoint = await listen(server);
  return { endpoint, calls, stop: () => close(server) };
}
