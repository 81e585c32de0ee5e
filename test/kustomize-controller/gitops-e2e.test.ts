import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo, type TestRepo } from '../git/git-fixture.ts';
import { type HttpsGitServer, startHttpsGitServer } from '../git/https-git-server.ts';
import { createTestPki } from '../git/tls-pki.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  createGitRepository,
  type RunningSourceController,
  startSourceController,
  writeSecret,
} from '../source/source-env.ts';
import {
  ageKeygen,
  condition,
  createKustomization,
  installCrds,
  isAppliedAt,
  type RunningKustomizeController,
  sopsEncrypt,
  startKustomizeController,
  waitForKustomization,
} from './kustomize-env.ts';

let env: TestEnv;
let work: string;
let server: HttpsGitServer;
let repo: TestRepo;
let source: RunningSourceController;
let kustomize: RunningKustomizeController;

const password = 'e2e-plaintext-never-logged';

beforeAll(async () => {
  env = await startTestEnv({ namespacePrefix: 'ks-e2e' });
  await installCrds(env);
  work = await mkdtemp(join(tmpdir(), 'kustodian-ks-e2e-'));
  const pki = await createTestPki(work);
  repo = await createTestRepo({
    projectRoot: join(work, 'repos'),
    workRoot: join(work, 'work'),
    name: 'fleet',
  });
  server = await startHttpsGitServer({ projectRoot: join(work, 'repos'), pki });
  await writeSecret(env, 'git-ca', { 'ca.crt': pki.caCert });
  source = await startSourceController(env);
  kustomize = await startKustomizeController(env);
}, 120_000);

afterAll(async () => {
  await kustomize?.stop();
  await source?.stop();
  await server?.stop();
  await env?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

async function configMapValue(name: string): Promise<string | undefined> {
  return env.core.readNamespacedConfigMap({ name, namespace: env.namespace }).then(
    (cm) => cm.data?.value,
    () => undefined,
  );
}

describe('git commit to cluster', () => {
  it('applies a fleet repo with an encrypted Secret and follows a new commit', async () => {
    const age = await ageKeygen();
    await writeSecret(env, 'sops-age', { 'age.agekey': age.keyFile });
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${password}\n`;
    const first = await repo.commit(
      {
        'clusters/dev/kustomization.yaml':
          'resources:\n  - secret.yaml\n  - app.yaml\n  - old.yaml\n',
        'clusters/dev/secret.yaml': await sopsEncrypt(secret, age.recipient),
        'clusters/dev/app.yaml': configMap('app', 'v1'),
        'clusters/dev/old.yaml': configMap('old', 'v1'),
      },
      'first',
    );
    await createGitRepository(env, 'fleet', {
      url: `${server.baseUrl}${repo.httpPath}`,
      interval: '1s',
      secretRef: { name: 'git-ca' },
    });
    await createKustomization(env, 'dev', {
      path: './clusters/dev',
      decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
    });
    const applied = await waitForKustomization(
      env,
      'dev',
      'first commit',
      isAppliedAt(`master@sha1:${first}`),
      60_000,
    );
    expect(condition(applied, 'Ready')?.message).toBe(`Applied revision: master@sha1:${first}`);
    const live = await env.core.readNamespacedSecret({ name: 'db', namespace: env.namespace });
    expect(Buffer.from(live.data?.password ?? '', 'base64').toString('utf8')).toBe(password);

    const second = await repo.commit(
      {
        'clusters/dev/kustomization.yaml': 'resources:\n  - secret.yaml\n  - app.yaml\n',
        'clusters/dev/app.yaml': configMap('app', 'v2'),
        'clusters/dev/old.yaml': null,
      },
      'second',
    );
    // The GitRepository's new artifact queues the Kustomization through its watch.
    await waitForKustomization(
      env,
      'dev',
      'second commit',
      isAppliedAt(`master@sha1:${second}`),
      60_000,
    );
    expect(await configMapValue('app')).toBe('v2');
    await waitFor('old to be pruned', async () =>
      (await configMapValue('old')) === undefined ? true : undefined,
    );
    expect([...source.logs, ...kustomize.logs].join('\n')).not.toContain(password);
  });
});
