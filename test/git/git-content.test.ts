import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRepository, type GitError } from '../../controllers/source/index.ts';
import { createTestRepo, type TestRepo } from './git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from './https-git-server.ts';
import { createTestPki } from './tls-pki.ts';

const PASSWORD = 'submodule-password-4410';

let work: string;
let server: HttpsGitServer;
let main: TestRepo;
let ca: Record<string, Buffer>;
let n = 0;

function dir(): string {
  n += 1;
  return join(work, `co-${n}`);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kustodian-git-content-'));
  const pki = await createTestPki(work);
  ca = {
    'ca.crt': Buffer.from(pki.caCert),
    username: Buffer.from('flux'),
    password: Buffer.from(PASSWORD),
  };
  await mkdir(join(work, 'repos'));
  server = await startHttpsGitServer({
    projectRoot: join(work, 'repos'),
    pki,
    auth: { kind: 'basic', username: 'flux', password: PASSWORD },
  });
  const sub = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'sub',
  });
  await sub.commit({ 'lib/base.yaml': 'base: true\n' }, 'sub');
  main = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'main',
  });
  await main.commit({ 'apps/a.yaml': 'a\n', 'infra/i.yaml': 'i\n', 'root.yaml': 'r\n' }, 'tree');
  await main.git([
    '-c',
    'protocol.file.allow=always',
    'submodule',
    'add',
    '--quiet',
    sub.barePath,
    'vendor/sub',
  ]);
  // The committed submodule URL points at the HTTPS server, behind the same basic auth.
  await main.git([
    'config',
    '--file',
    '.gitmodules',
    'submodule.vendor/sub.url',
    `${server.baseUrl}/sub.git`,
  ]);
  await main.commit({}, 'add submodule');
});

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('checkout content options', () => {
  it('without recurseSubmodules the submodule directory stays empty', async () => {
    const out = dir();
    await checkoutRepository({ url: `${server.baseUrl}/main.git`, dir: out, secret: ca });
    expect(await readdir(join(out, 'vendor/sub'))).toEqual([]);
  });

  it('recurseSubmodules checks the submodule out with the same credentials', async () => {
    const out = dir();
    await checkoutRepository({
      url: `${server.baseUrl}/main.git`,
      dir: out,
      secret: ca,
      recurseSubmodules: true,
    });
    expect(await readFile(join(out, 'vendor/sub/lib/base.yaml'), 'utf8')).toBe('base: true\n');
  });

  it('sparseCheckout keeps only the listed directories', async () => {
    const out = dir();
    await checkoutRepository({
      url: `${server.baseUrl}/main.git`,
      dir: out,
      secret: ca,
      sparseCheckout: ['./apps/'],
    });
    const entries = (await readdir(out)).filter((e) => e !== '.git');
    expect(entries).toEqual(['apps']);
  });

  it.each([
    {
      name: 'a missing directory',
      dirs: ['nope'],
      message: "sparse checkout dir 'nope' does not exist",
    },
    { name: 'a path outside the repository', dirs: ['../x'], message: 'inside the repository' },
  ])('sparseCheckout with $name fails with PathNotFound', async ({ dirs, message }) => {
    const error = (await checkoutRepository({
      url: `${server.baseUrl}/main.git`,
      dir: dir(),
      secret: ca,
      sparseCheckout: dirs,
    }).catch((e: unknown) => e)) as GitError;
    expect(error.code).toBe('PathNotFound');
    expect(error.message).toContain(message);
  });
});
