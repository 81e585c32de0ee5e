import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import {
  type AzureKeyVaultKeySourceOptions,
  azureKeyVaultKeySource,
  type KeySource,
} from '../../sops/index.ts';
import { type AzureKvWireServer, startAzureKvWireServer } from '../emulators/index.ts';
import { runTool, type ToolResult } from '../harness/run-tool.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');

/** The Secret the CLI tests encrypt; `hunter2` must never show up in an error. */
export const PLAIN = 'apiVersion: v1\nkind: Secret\nstringData:\n    password: hunter2\n';

/** A local Azure Key Vault wire-format server with one key and two service principals. */
export interface AzureFixture {
  readonly server: AzureKvWireServer;
  readonly keyName: string;
  readonly version: string;
  /** The versioned key URL (`--azure-kv`). */
  readonly keyUrl: string;
  readonly secretClient: { clientId: string; clientSecret: string };
  readonly certificateClient: { clientId: string; pem: string; path: string };
  /** A key source authenticating with the client secret (options override the defaults). */
  secretSource(options?: Partial<AzureKeyVaultKeySourceOptions>): KeySource;
  certificateSource(): KeySource;
  /**
   * Environment for the real sops and the kustodian CLI: azidentity's variables, the CA
   * (SSL_CERT_FILE for Go, NODE_EXTRA_CA_CERTS for Node) and the CONNECT proxy (HTTPS_PROXY,
   * which both Go's net/http and the Azure SDK for JS honour).
   */
  sopsEnv(auth: 'secret' | 'certificate'): NodeJS.ProcessEnv;
}

export async function startAzureFixture(): Promise<AzureFixture> {
  const server = await startAzureKvWireServer();
  const keyName = 'sops';
  const version = server.createKey(keyName);
  const secretClient = {
    clientId: randomUUID(),
    clientSecret: `secret-${randomBytes(18).toString('base64url')}`,
  };
  server.registerClientSecret(secretClient.clientId, secretClient.clientSecret);
  const certClientId = randomUUID();
  const cert = await server.registerClientCertificate(certClientId);
  const common = { authorityHost: server.authorityHost, agent: server.agent, timeoutMs: 15_000 };
  return {
    server,
    keyName,
    version,
    keyUrl: server.keyUrl(keyName, version),
    secretClient,
    certificateClient: { clientId: certClientId, ...cert },
    secretSource: (options = {}) =>
      azureKeyVaultKeySource({
        credentials: { kind: 'client-secret', tenantId: server.tenantId, ...secretClient },
        ...common,
        ...options,
      }),
    certificateSource: () =>
      azureKeyVaultKeySource({
        credentials: {
          kind: 'client-certificate',
          tenantId: server.tenantId,
          clientId: certClientId,
          certificate: cert.pem,
          sendCertificateChain: false,
        },
        ...common,
      }),
    sopsEnv(auth) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: '/nonexistent',
        SOPS_AGE_KEY_FILE: '/nonexistent/age.txt',
        // Go's net/http sends the `.test` hosts through the proxy (it never proxies loopback).
        HTTPS_PROXY: server.proxyUrl,
        NO_PROXY: '',
        SSL_CERT_FILE: server.caCertPath,
        NODE_EXTRA_CA_CERTS: server.caCertPath,
        AZURE_AUTHORITY_HOST: server.authorityHost,
        AZURE_TENANT_ID: server.tenantId,
      };
      if (auth === 'secret') {
        env.AZURE_CLIENT_ID = secretClient.clientId;
        env.AZURE_CLIENT_SECRET = secretClient.clientSecret;
      } else {
        env.AZURE_CLIENT_ID = certClientId;
        env.AZURE_CLIENT_CERTIFICATE_PATH = cert.path;
      }
      return env;
    },
  };
}

/** A scratch directory for the CLIs: `secret.yaml` holds PLAIN, `age.txt` an age identity. */
export interface AzureScratch {
  readonly dir: string;
  readonly age: { readonly identity: string; readonly recipient: string; readonly keyFile: string };
  /** `kustodian sops …` from the sources (cli/main.ts), run in `dir`. */
  kustodian(args: string[], env: NodeJS.ProcessEnv): Promise<ToolResult>;
  /** The real sops binary from the test bed, run in `dir`. */
  sops(args: string[], env: NodeJS.ProcessEnv): Promise<ToolResult>;
  stop(): Promise<void>;
}

export async function createAzureScratch(prefix: string): Promise<AzureScratch> {
  const dir = await mkdtemp(join(tmpdir(), `kustodian-${prefix}-`));
  const identity = await generateIdentity();
  const keyFile = join(dir, 'age.txt');
  await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'secret.yaml'), PLAIN);
  return {
    dir,
    age: { identity, recipient: await identityToRecipient(identity), keyFile },
    kustodian: (args, env) =>
      runTool(process.execPath, [MAIN, 'sops', ...args], { env, cwd: dir, timeoutMs: 90_000 }),
    sops: (args, env) =>
      runTool('sops', ['--disable-version-check', ...args], { env, cwd: dir, timeoutMs: 90_000 }),
    stop: () => rm(dir, { recursive: true, force: true }),
  };
}
