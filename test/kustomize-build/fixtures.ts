import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';
import { run } from '../sops/sops-fixtures.ts';

/** Writes a repository tree (relative path → text) under a fresh temporary directory. */
export async function writeTree(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-build-fixture-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** Encrypts a file of the tree in place with the real sops binary; returns the new text. */
export async function sopsEncrypt(
  dir: string,
  path: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const file = join(dir, path);
  const result = await run(
    'sops',
    ['--disable-version-check', '--encrypt', ...args, '--in-place', file],
    {
      env,
    },
  );
  if (result.code !== 0) throw new Error(`sops --encrypt ${path} failed: ${result.stderr}`);
  return readFile(file, 'utf8');
}

/** Encrypts bytes as a sops binary file and returns the JSON envelope sops writes. */
export async function sopsBinaryEnvelope(
  dir: string,
  content: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const file = join(dir, '.envelope.bin');
  await writeFile(file, content);
  const result = await run(
    'sops',
    [
      '--disable-version-check',
      '--encrypt',
      '--input-type',
      'binary',
      '--output-type',
      'binary',
      ...args,
      file,
    ],
    { env },
  );
  await rm(file);
  if (result.code !== 0) throw new Error(`sops --encrypt binary failed: ${result.stderr}`);
  return result.stdout;
}

/** Packs a directory as the source controller does: a gzipped tar of its content. */
export async function packTree(dir: string, paths: readonly string[]): Promise<Buffer> {
  const out = join(dir, '..', `${dir.split('/').pop() ?? 'x'}.tar.gz`);
  await create({ gzip: true, cwd: dir, file: out, portable: true }, [...paths]);
  const bytes = await readFile(out);
  await rm(out);
  return bytes;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A loopback HTTP server serving artifacts by path; 404 for anything else. */
export interface ArtifactServer {
  url(path: string): string;
  put(path: string, bytes: Buffer): void;
  close(): Promise<void>;
}

export async function startArtifactServer(): Promise<ArtifactServer> {
  const artifacts = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const body = artifacts.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    put: (path, bytes) => artifacts.set(path, bytes),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
