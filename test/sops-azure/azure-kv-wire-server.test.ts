import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureKvWireServer, startAzureKvWireServer } from '../emulators/index.ts';

let server: AzureKvWireServer;
let version: string;
const clientId = 'wire-client';
const clientSecret = 'wire-client-secret-value';

beforeAll(async () => {
  server = await startAzureKvWireServer();
  version = server.createKey('raw');
  server.registerClientSecret(clientId, clientSecret);
});

afterAll(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function call(url: string, method: string, body?: string, headers = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: server.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function token(secret: string): Promise<Answer> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope: 'https://vault.azure.test/.default',
  });
  return call(
    `${server.authorityHost}/${server.tenantId}/oauth2/v2.0/token`,
    'POST',
    form.toString(),
    { 'content-type': 'application/x-www-form-urlencoded' },
  );
}

describe('local Azure Key Vault wire-format server', () => {
  it('answers an unauthenticated vault call with Key Vault’s bearer challenge', async () => {
    const answer = await call(`${server.keyUrl('raw')}/?api-version=7.6`, 'GET');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe(
      `Bearer authorization="${server.authorityHost}/${server.tenantId}", resource="https://vault.azure.test"`,
    );
  });

  it('issues a token for the registered secret and refuses another with AADSTS7000215', async () => {
    const good = await token(clientSecret);
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const bad = await token('wrong');
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_client');
    expect(String(bad.body.error_description)).toMatch(/^AADSTS7000215: /);
  });

  it('round-trips RSA-OAEP-256 encrypt/decrypt and wrapkey/unwrapkey with a token', async () => {
    const { body } = await token(clientSecret);
    const auth = { authorization: `Bearer ${String(body.access_token)}` };
    const value = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url');
    const op = (name: string, v: string) =>
      call(
        `${server.keyUrl('raw', version)}/${name}?api-version=7.6`,
        'POST',
        JSON.stringify({ alg: 'RSA-OAEP-256', value: v }),
        { ...auth, 'content-type': 'application/json' },
      );
    for (const [wrap, unwrap] of [
      ['encrypt', 'decrypt'],
      ['wrapkey', 'unwrapkey'],
    ] as const) {
      const wrapped = await op(wrap, value);
      expect(wrapped.status).toBe(200);
      expect(String(wrapped.body.kid)).toBe(server.keyUrl('raw', version));
      expect(wrapped.body.value).not.toBe(value);
      const unwrapped = await op(unwrap, String(wrapped.body.value));
      expect(unwrapped.body.value).toBe(value);
    }
  });

  it('proxies only its own host names', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(server.proxyUrl, { method: 'CONNECT', path: 'example.com:443' });
      req.on('connect', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
