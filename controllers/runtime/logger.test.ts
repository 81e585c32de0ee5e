import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, objectLogger } from './logger.ts';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with level name, time and message', () => {
    const out = capture();
    createLogger({ destination: out.stream }).info({ revision: 'main@sha1:abc' }, 'stored');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', msg: 'stored', revision: 'main@sha1:abc' });
    expect(typeof line?.time).toBe('string');
  });

  it.each([
    { name: 'a top-level password', input: { password: 'hunter2' } },
    { name: 'a nested token', input: { auth: { token: 'tok-123' } } },
    { name: 'Secret data two levels down', input: { object: { secret: { data: 'c2VjcmV0' } } } },
    { name: 'a bearer token in a field', input: { source: { bearerToken: 'abc.def' } } },
  ])('redacts $name', ({ input }) => {
    const out = capture();
    createLogger({ destination: out.stream }).info(input, 'object');
    const text = JSON.stringify(out.lines());
    for (const secret of ['hunter2', 'tok-123', 'c2VjcmV0', 'abc.def']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
  });

  it('tags an object logger with namespace and name', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    objectLogger(logger, 'GitRepository', 'flux-system', 'fleet').info('reconciling');
    expect(out.lines()[0]).toMatchObject({
      namespace: 'flux-system',
      name: 'fleet',
      GitRepository: { name: 'fleet', namespace: 'flux-system' },
    });
  });
});
