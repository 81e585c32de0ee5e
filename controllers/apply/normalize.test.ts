import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.ts';
import { isValidCaBundle, normalizeForApply } from './normalize.ts';

describe('normalisation before apply', () => {
  it('folds Secret stringData into base64 data', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'YQ==' },
      stringData: { b: 'bee' },
    };
    normalizeForApply(secret);
    expect(secret.stringData).toBeUndefined();
    expect(secret.data).toEqual({ a: 'YQ==', b: Buffer.from('bee').toString('base64') });
  });

  it('writes out the default TCP protocol on Service and container ports, drops status', () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] },
      status: {},
    };
    normalizeForApply(service);
    expect(service.spec).toEqual({
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    });
    expect(service.status).toBeUndefined();
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } },
      },
    };
    normalizeForApply(deployment);
    expect(JSON.stringify(deployment.spec)).toContain('"protocol":"TCP"');
  });
});

describe('CRD conversion caBundle', () => {
  // A public self-signed test certificate; no private key exists for it.
  const pem = readFileSync(new URL('./testdata/test-ca.crt', import.meta.url), 'utf8');
  const crd = (caBundle: string): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { conversion: { strategy: 'Webhook', webhook: { clientConfig: { caBundle } } } },
  });
  const caBundleOf = (object: KubeObject): unknown =>
    JSON.parse(JSON.stringify(object.spec)).conversion.webhook.clientConfig.caBundle;

  it.each([
    { name: 'a placeholder bundle is dropped', input: 'Cg==', want: undefined },
    {
      name: 'a valid PEM bundle is kept',
      input: Buffer.from(pem).toString('base64'),
      want: Buffer.from(pem).toString('base64'),
    },
  ])('$name', ({ input, want }) => {
    const object = crd(input);
    normalizeForApply(object);
    expect(caBundleOf(object)).toBe(want);
  });

  it('a certificate block that does not parse is invalid', () => {
    expect(isValidCaBundle(pem)).toBe(true);
    expect(isValidCaBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toBe(
      false,
    );
  });
});
