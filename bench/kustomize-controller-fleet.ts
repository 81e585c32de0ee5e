import { stringify } from 'yaml';

// The benchmark's fleet, in the shape of Flux's published benchmark: per app a path with a
// Deployment scaled to 0, a ServiceAccount, a Service and an Ingress.

export function appName(index: number): string {
  return `app-${index}`;
}

export function appPath(index: number): string {
  return `apps/${appName(index)}`;
}

/** The four objects of one app, namespace-less as in a git repo. */
export function appObjects(index: number): Record<string, unknown>[] {
  const name = appName(index);
  const labels = { app: name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name: 'app',
                image: 'ghcr.io/stefanprodan/podinfo:6.7.0',
                ports: [{ name: 'http', containerPort: 9898 }],
                resources: { requests: { cpu: '10m', memory: '32Mi' } },
              },
            ],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, labels } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels },
      // Headless: the test bed's service CIDR is a /24, too small for 2 × 500 cluster IPs.
      spec: {
        clusterIP: 'None',
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, labels },
      spec: {
        rules: [
          {
            host: `${name}.example.com`,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name, port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}

const FILES = ['deployment.yaml', 'serviceaccount.yaml', 'service.yaml', 'ingress.yaml'];

/** Repo files (path → text) for apps 0..count-1; JSON is YAML. */
export function fleetFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const objects = appObjects(i);
    files[`${appPath(i)}/kustomization.yaml`] =
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${FILES.map((f) => `  - ${f}`).join('\n')}\n`;
    FILES.forEach((file, k) => {
      files[`${appPath(i)}/${file}`] = `${JSON.stringify(objects[k], null, 2)}\n`;
    });
  }
  return files;
}

/** The same objects for `kubectl apply`, each in `namespaceOf(index)`. */
export function kubectlManifest(count: number, namespaceOf: (index: number) => string): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    for (const object of appObjects(i)) {
      const metadata = { ...(object.metadata as object), namespace: namespaceOf(i) };
      docs.push(stringify({ ...object, metadata }));
    }
  }
  // YAML, not JSON: kubectl reads a stream starting with `{` as one JSON document.
  return docs.join('---\n');
}

export const KUSTOMIZATION_NAMESPACE = 'flux-system';

/** One Kustomization per app, applied into its own namespace with targetNamespace. */
export function kustomization(index: number, targetNamespace: string): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: appName(index), namespace: KUSTOMIZATION_NAMESPACE },
    spec: {
      interval: '1h',
      prune: true,
      wait: false,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      path: `./${appPath(index)}`,
      targetNamespace,
    },
  };
}

export function gitRepository(url: string): Record<string, unknown> {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'fleet', namespace: KUSTOMIZATION_NAMESPACE },
    spec: { url, interval: '1h', ref: { branch: 'master' }, secretRef: { name: 'git-ca' } },
  };
}
