import { X509Certificate } from 'node:crypto';
import { isRecord, type KubeObject } from './kube-object.ts';

const podTemplatePaths: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * Flux's input normalisation before apply: Secret `stringData` folded into `data` (apply of
 * stringData otherwise shows as drift every time), the defaulted TCP protocol written out on
 * Service and container ports, `status` dropped except on CRDs. Mutates `object`.
 */
export function normalizeForApply(object: KubeObject): void {
  if (object.kind === 'Secret' && object.apiVersion === 'v1' && isRecord(object.stringData)) {
    const data = isRecord(object.data) ? object.data : {};
    for (const [key, value] of Object.entries(object.stringData)) {
      if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8').toString('base64');
    }
    object.data = data;
    delete object.stringData;
  }
  if (object.kind === 'Service' && object.apiVersion === 'v1' && isRecord(object.spec)) {
    defaultProtocols(object.spec.ports);
  }
  const podPath = podTemplatePaths[object.kind];
  if (podPath) {
    let spec: unknown = object;
    for (const key of podPath) spec = isRecord(spec) ? spec[key] : undefined;
    if (isRecord(spec)) {
      for (const container of Array.isArray(spec.containers) ? spec.containers : []) {
        if (isRecord(container)) defaultProtocols(container.ports);
      }
    }
  }
  if (object.kind === 'CustomResourceDefinition') removeInvalidCaBundle(object);
  else delete object.status;
  delete object.metadata.creationTimestamp;
}

function defaultProtocols(ports: unknown): void {
  if (!Array.isArray(ports)) return;
  for (const port of ports) {
    if (isRecord(port) && (port.protocol === undefined || port.protocol === '')) {
      port.protocol = 'TCP';
    }
  }
}

/**
 * Flux drops a CRD conversion webhook's caBundle that is not valid PEM (placeholders such as
 * "Cg==" waiting for cert-manager): Kubernetes 1.31+ rejects the whole CRD otherwise.
 */
function removeInvalidCaBundle(crd: KubeObject): void {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const conversion = isRecord(spec.conversion) ? spec.conversion : {};
  const webhook = isRecord(conversion.webhook) ? conversion.webhook : {};
  const clientConfig = isRecord(webhook.clientConfig) ? webhook.clientConfig : undefined;
  const caBundle = clientConfig?.caBundle;
  if (!clientConfig || typeof caBundle !== 'string' || caBundle === '') return;
  if (!isValidCaBundle(Buffer.from(caBundle, 'base64').toString('utf8'))) {
    delete clientConfig.caBundle;
  }
}

export function isValidCaBundle(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) return false;
  try {
    for (const block of blocks) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}
