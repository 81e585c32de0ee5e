import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { FLEET_PATH } from './fleet-repo.ts';

export const FLUX_NAMESPACE = 'flux-system';

export interface DemoObjectsInput {
  repoUrl: string;
  gitUsername: string;
  gitPassword: string;
  gitCaCert: string;
  ageIdentity: string;
}

/** Finds manifests/crds from both the source tree (cli/demo) and the build (dist/cli/demo). */
async function readCrd(file: string): Promise<unknown> {
  for (const prefix of ['../../manifests/crds/', '../../../manifests/crds/']) {
    try {
      return parse(await readFile(fileURLToPath(new URL(prefix + file, import.meta.url)), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`manifests/crds/${file} not found beside the kustodian code`);
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * What a cluster admin and a fleet owner create for a Flux setup: the CRDs, the `sops-age`
 * decryption Secret, the git credentials, one GitRepository and one Kustomization, written as
 * any Flux user writes them.
 */
export async function demoObjects(input: DemoObjectsInput): Promise<unknown[]> {
  return [
    await readCrd('source.toolkit.fluxcd.io_gitrepositories.yaml'),
    await readCrd('kustomize.toolkit.fluxcd.io_kustomizations.yaml'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sops-age', namespace: FLUX_NAMESPACE },
      data: { 'age.agekey': b64(`${input.ageIdentity}\n`) },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fleet-git', namespace: FLUX_NAMESPACE },
      data: {
        username: b64(input.gitUsername),
        password: b64(input.gitPassword),
        'ca.crt': b64(input.gitCaCert),
      },
    },
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'fleet', namespace: FLUX_NAMESPACE },
      spec: {
        url: input.repoUrl,
        interval: '10s',
        ref: { branch: 'master' },
        secretRef: { name: 'fleet-git' },
      },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'demo', namespace: FLUX_NAMESPACE },
      spec: {
        interval: '1m',
        path: FLEET_PATH,
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
      },
    },
  ];
}
