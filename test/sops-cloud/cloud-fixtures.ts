import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeySource } from '../../sops/index.ts';
import { runTool, type ToolResult } from '../harness/run-tool.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');

export const PLAIN =
  'apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: hunter2\n    user: admin\n';
/** The secret value in PLAIN that must never show up in an error. */
export const SECRET = 'hunter2';

/**
 * A scratch directory that is also HOME, so no developer key, token or AWS profile leaks in;
 * the CLIs run in it unless given another `cwd`.
 */
export interface Scratch {
  dir: string;
  /** HOME, XDG_CONFIG_HOME and GNUPGHOME inside `dir`; no age key, no AWS config. */
  env: NodeJS.ProcessEnv;
  /** `kustodian sops …` from the sources (cli/main.ts), as a user runs it. */
  kustodian(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<ToolResult>;
  /** The real sops binary from the test bed. */
  sops(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<ToolResult>;
  /** Writes `text` to `name` in `dir`. */
  write(name: string, text: string): Promise<void>;
  /** Reads `name` in `dir` as text. */
  read(name: string): Promise<string>;
  /**
   * The start of an `updatekeys` test: folder `updatekeys/` with `app.yaml` (PLAIN) encrypted by
   * kustodian for a fresh age key only. Returns the folder and that key.
   */
  ageEncryptedApp(
    env: NodeJS.ProcessEnv,
  ): Promise<{ dir: string; age: { identity: string; recipient: string } }>;
  stop(): Promise<void>;
}

export async function createScratch(prefix: string): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), `kustodian-${prefix}-`));
  await mkdir(join(dir, 'gnupg'), { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    GNUPGHOME: join(dir, 'gnupg'),
    SOPS_AGE_KEY_FILE: join(dir, 'no-age-keys.txt'),
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of [
    'SOPS_AGE_KEY',
    'SOPS_AGE_KEY_CMD',
    'VAULT_TOKEN',
    'VAULT_ADDR',
    'VAULT_NAMESPACE',
    'SOPS_KMS_ARN',
    'SOPS_VAULT_URIS',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_ENDPOINT_URL',
  ])
    delete env[name];
  const kustodian: Scratch['kustodian'] = (args, env, cwd = dir) =>
    runTool(process.execPath, [MAIN, 'sops', ...args], { env, cwd, timeoutMs: 90_000 });
  return {
    dir,
    env,
    kustodian,
    sops: (args, env, cwd = dir) =>
      runTool('sops', ['--disable-version-check', ...args], { env, cwd, timeoutMs: 90_000 }),
    write: (name, text) => writeFile(join(dir, name), text),
    read: (name) => readFile(join(dir, name), 'utf8'),
    async ageEncryptedApp(env) {
      const folder = join(dir, 'updatekeys');
      await mkdir(folder, { recursive: true });
      const age = await ageKey();
      await writeFile(join(folder, 'app.yaml'), PLAIN);
      const start = await kustodian(['encrypt', '--age', age.recipient, 'app.yaml'], env, folder);
      await writeFile(join(folder, 'app.yaml'), start.stdout);
      return { dir: folder, age };
    },
    stop: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fresh age identity from the real age-keygen. */
export async function ageKey(): Promise<{ identity: string; recipient: string }> {
  const keygen = await runTool('age-keygen', []);
  if (keygen.code !== 0) throw new Error(`age-keygen failed: ${keygen.stderr}`);
  const identity = /^AGE-SECRET-KEY-1[0-9A-Z]+$/m.exec(keygen.stdout)?.[0];
  const recipient = /public key: (age1[0-9a-z]+)/.exec(keygen.stdout)?.[1];
  if (!identity || !recipient) throw new Error('age-keygen printed no key');
  return { identity, recipient };
}

/** A wrap that was expected to fail: its error message and how long it took. */
export interface FailedWrap {
  readonly message: string;
  readonly elapsedMs: number;
}

/** Wraps a zero data key with `source` for `recipient`; a wrap that succeeds gives an empty message. */
export async function failedWrap(source: KeySource, recipient: string): Promise<FailedWrap> {
  const started = Date.now();
  const error: unknown = await source.wrap?.(recipient, new Uint8Array(32)).then(
    () => new Error(''),
    (e: unknown) => e,
  );
  return {
    message: error instanceof Error ? error.message : String(error),
    elapsedMs: Date.now() - started,
  };
}
