import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HttpEndpoint,
  healthHandler,
  metricsHandler,
  parseListenAddress,
  startHttpEndpoint,
} from './http-endpoints.ts';

describe('parseListenAddress', () => {
  it.each([
    {
      name: 'a bare port binds every interface',
      input: ':8080',
      want: { host: undefined, port: 8080 },
    },
    { name: 'an IPv4 host', input: '127.0.0.1:9440', want: { host: '127.0.0.1', port: 9440 } },
    { name: 'a bracketed IPv6 host', input: '[::1]:0', want: { host: '::1', port: 0 } },
    { name: 'a host name', input: 'localhost:9090', want: { host: 'localhost', port: 9090 } },
  ])('$name', ({ input, want }) => {
    expect(parseListenAddress('--metrics-addr', input)).toEqual(want);
  });

  it.each(['8080', ':99999', 'host:', ''])('refuses %j, naming the flag', (input) => {
    expect(() => parseListenAddress('--health-addr', input)).toThrow(/^--health-addr: /);
  });
});

describe('HTTP endpoints', () => {
  const open: HttpEndpoint[] = [];
  afterEach(async () => {
    for (const endpoint of open.splice(0)) await endpoint.close();
  });

  it('serves the registry on /metrics', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({});
    const endpoint = await startHttpEndpoint(
      '--metrics-addr',
      '127.0.0.1:0',
      metricsHandler(registry),
    );
    open.push(endpoint);
    const response = await fetch(`http://${endpoint.address}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect((await fetch(`http://${endpoint.address}/other`)).status).toBe(404);
  });

  it('answers /healthz and /readyz from the checks', async () => {
    const state = { healthy: true, ready: false };
    const endpoint = await startHttpEndpoint(
      '--health-addr',
      '127.0.0.1:0',
      healthHandler({ healthy: () => state.healthy, ready: () => state.ready }),
    );
    open.push(endpoint);
    const get = (path: string) => fetch(`http://${endpoint.address}${path}`);
    expect((await get('/healthz')).status).toBe(200);
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(500);
    expect(await notReady.text()).toBe('readiness check failed');
    state.ready = true;
    expect(await (await get('/readyz')).text()).toBe('ok');
  });

  it('reports a port in use with the flag and address', async () => {
    const first = await startHttpEndpoint('--metrics-addr', '127.0.0.1:0', () => {});
    open.push(first);
    await expect(startHttpEndpoint('--health-addr', first.address, () => {})).rejects.toThrow(
      `--health-addr: cannot listen on ${first.address}`,
    );
  });
});
