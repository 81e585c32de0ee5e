/**
 * Regenerates kubernetes-patch-meta.json from a real kube-apiserver (the test bed's), so the
 * merge keys and patch strategies are facts read from Kubernetes, not typed by hand.
 *
 *   npx node kustomize/schema/generate-patch-meta.ts
 *
 * Starts etcd + kube-apiserver (building them first if needed: that waits on the test bed's
 * lock), reads /version and /openapi/v2, and writes the compact table beside this file.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { ensureTestbedBinaries, startControlPlane } from '../../test/testbed/index.ts';
import { compactSwagger } from './compact-swagger.ts';
import type { PatchMetaTable } from './schema-types.ts';

const outputPath = fileURLToPath(new URL('./kubernetes-patch-meta.json', import.meta.url));

/**
 * API versions that kustomize's built-in schema (Kubernetes v1.21) still knows but today's
 * apiserver no longer serves, each with the served version that replaced it. They get their
 * successor's patch metadata, so that old manifests keep merging their lists by key.
 */
const removedVersions: readonly (readonly [removed: string, successor: string])[] = [
  ['batch/v1beta1 CronJob', 'batch/v1 CronJob'],
  ['policy/v1beta1 PodDisruptionBudget', 'policy/v1 PodDisruptionBudget'],
  ['autoscaling/v2beta1 HorizontalPodAutoscaler', 'autoscaling/v2 HorizontalPodAutoscaler'],
  ['autoscaling/v2beta2 HorizontalPodAutoscaler', 'autoscaling/v2 HorizontalPodAutoscaler'],
  ['extensions/v1beta1 Ingress', 'networking.k8s.io/v1 Ingress'],
  ['networking.k8s.io/v1beta1 Ingress', 'networking.k8s.io/v1 Ingress'],
  ['networking.k8s.io/v1beta1 IngressClass', 'networking.k8s.io/v1 IngressClass'],
  ['rbac.authorization.k8s.io/v1beta1 Role', 'rbac.authorization.k8s.io/v1 Role'],
  ['rbac.authorization.k8s.io/v1beta1 ClusterRole', 'rbac.authorization.k8s.io/v1 ClusterRole'],
  ['rbac.authorization.k8s.io/v1beta1 RoleBinding', 'rbac.authorization.k8s.io/v1 RoleBinding'],
  [
    'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding',
    'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
  ],
  ['discovery.k8s.io/v1beta1 EndpointSlice', 'discovery.k8s.io/v1 EndpointSlice'],
  ['events.k8s.io/v1beta1 Event', 'events.k8s.io/v1 Event'],
  ['node.k8s.io/v1beta1 RuntimeClass', 'node.k8s.io/v1 RuntimeClass'],
  ['scheduling.k8s.io/v1beta1 PriorityClass', 'scheduling.k8s.io/v1 PriorityClass'],
  ['coordination.k8s.io/v1beta1 Lease', 'coordination.k8s.io/v1 Lease'],
  ['storage.k8s.io/v1beta1 StorageClass', 'storage.k8s.io/v1 StorageClass'],
  ['storage.k8s.io/v1beta1 VolumeAttachment', 'storage.k8s.io/v1 VolumeAttachment'],
  ['storage.k8s.io/v1beta1 CSIDriver', 'storage.k8s.io/v1 CSIDriver'],
  ['storage.k8s.io/v1beta1 CSINode', 'storage.k8s.io/v1 CSINode'],
  [
    'certificates.k8s.io/v1beta1 CertificateSigningRequest',
    'certificates.k8s.io/v1 CertificateSigningRequest',
  ],
  [
    'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
  ],
  [
    'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
  ],
];

function addRemovedVersions(table: PatchMetaTable): void {
  for (const [removed, successor] of removedVersions) {
    const definition = table.resources[successor];
    if (definition === undefined || removed in table.resources) continue;
    table.resources[removed] = definition;
    const namespaced = table.namespaced[successor];
    if (namespaced !== undefined) table.namespaced[removed] = namespaced;
  }
}

interface ClientTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function getJson(server: string, path: string, tls: ClientTls): Promise<unknown> {
  const url = new URL(path, server);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, ...tls, timeout: 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(body));
          } catch (error) {
            reject(new Error(`GET ${path}: invalid JSON`, { cause: error }));
          }
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.end();
  });
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const binDir = await ensureTestbedBinaries({ onProgress: log });
  const plane = await startControlPlane({ binDir, onProgress: log });
  try {
    const tls: ClientTls = {
      ca: readFileSync(plane.pki.caCert),
      cert: readFileSync(plane.pki.adminCert),
      key: readFileSync(plane.pki.adminKey),
    };
    const version = (await getJson(plane.server, '/version', tls)) as { gitVersion?: unknown };
    const swagger = await getJson(plane.server, '/openapi/v2', tls);
    const gitVersion = typeof version.gitVersion === 'string' ? version.gitVersion : 'unknown';
    const table = compactSwagger(swagger, `kube-apiserver ${gitVersion} /openapi/v2`);
    addRemovedVersions(table);
    await writeFile(outputPath, `${JSON.stringify(table)}\n`);
    log(
      `wrote ${outputPath}: ${Object.keys(table.definitions).length} definitions, ` +
        `${Object.keys(table.resources).length} resource types`,
    );
  } finally {
    await plane.stop();
  }
}

await main();
