// Cluster set-up and Kustomization reads for kustomize-controller-bench.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { KUSTOMIZATION_NAMESPACE } from './kustomize-controller-fleet.ts';
import { type Kube, mapLimit } from './kustomize-controller-kube.ts';

const root = join(import.meta.dirname, '..');

/** Server-side applies both CRDs as raw JSON and waits until they are Established. */
export async function installCrds(kube: Kube): Promise<void> {
  for (const file of [
    'source.toolkit.fluxcd.io_gitrepositories.yaml',
    'kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  ]) {
    const crd = parse(readFileSync(join(root, 'manifests', 'crds', file), 'utf8')) as {
      metadata: { name: string };
    };
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    await kube.apply(path, crd);
    for (let i = 0; ; i++) {
      const read = (await kube.json({ method: 'GET', path })) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      if (read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
        break;
      if (i > 300) throw new Error(`CRD ${crd.metadata.name} not Established after 30s`);
      await sleep(100);
    }
  }
}

export async function createNamespaces(kube: Kube, names: readonly string[]): Promise<void> {
  await mapLimit(names, 20, (name) =>
    kube.json({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } }),
  );
}

export interface KsStatus {
  metadata: { name: string; generation?: number };
  status?: {
    observedGeneration?: number;
    lastHandledReconcileAt?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export async function listKustomizations(kube: Kube): Promise<KsStatus[]> {
  const list = (await kube.json({
    method: 'GET',
    path: `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${KUSTOMIZATION_NAMESPACE}/kustomizations`,
  })) as { items: KsStatus[] };
  return list.items;
}

/** Ready=True at the current generation. */
export const isReady = (ks: KsStatus) =>
  ks.status?.observedGeneration === ks.metadata.generation &&
  ks.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
