import { describe, expect, it } from 'vitest';
import { isApplyError } from './apply-error.ts';
import { type KubeHttpRequest, KubeStatusError, type KubeTransport } from './kube-transport.ts';
import { RestMapper } from './rest-mapper.ts';

/** A fake discovery endpoint whose served kinds the test changes. */
function fakeDiscovery(
  served: Record<string, { name: string; kind: string; namespaced: boolean }[]>,
) {
  const requests: string[] = [];
  const transport: KubeTransport = async (request: KubeHttpRequest) => {
    requests.push(request.path);
    const resources = served[request.path];
    if (!resources) throw new KubeStatusError(request, 404, { reason: 'NotFound' }, '');
    return { kind: 'APIResourceList', resources };
  };
  return { transport, requests };
}

describe('RestMapper', () => {
  it('maps kinds to resources and scope, one discovery request per group version', async () => {
    const { transport, requests } = fakeDiscovery({
      '/api/v1': [
        { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
        { name: 'namespaces', kind: 'Namespace', namespaced: false },
        { name: 'namespaces/status', kind: 'Namespace', namespaced: false },
      ],
    });
    const mapper = new RestMapper(transport);
    expect(await mapper.mapping('v1', 'ConfigMap')).toEqual({
      group: '',
      version: 'v1',
      resource: 'configmaps',
      namespaced: true,
    });
    expect(await mapper.mapping('v1', 'Namespace')).toMatchObject({
      resource: 'namespaces',
      namespaced: false,
    });
    expect(requests).toEqual(['/api/v1']);
  });

  it('looks again when a kind is missing, so a new CRD kind is found', async () => {
    const served: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {};
    const { transport, requests } = fakeDiscovery(served);
    const mapper = new RestMapper(transport);
    const error = await mapper.mapping('example.com/v1', 'Widget').catch((e: unknown) => e);
    expect(isApplyError(error, 'UnknownKind')).toBe(true);
    served['/apis/example.com/v1'] = [{ name: 'widgets', kind: 'Widget', namespaced: true }];
    expect(await mapper.mapping('example.com/v1', 'Widget')).toMatchObject({ resource: 'widgets' });
    expect(requests).toEqual([
      '/apis/example.com/v1',
      '/apis/example.com/v1',
      '/apis/example.com/v1',
    ]);
  });
});
