// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests are about ${…} expressions in plain strings.
import { describe, expect, it } from 'vitest';
import { isStepError } from '../step-error.ts';
import { envsubst } from './envsubst.ts';
import { type KubeObject, substituteVariables } from './index.ts';

const vars: Record<string, string> = { NAME: 'web', EMPTY: '', REPLICAS: '3', LONG: 'Hello.World' };
const lookup = (strict: boolean) => (name: string) => {
  const value = vars[name];
  return strict
    ? { value: value ?? '', exists: value !== undefined }
    : { value: value ?? '', exists: true };
};

describe('envsubst', () => {
  it.each([
    { name: 'plain variable', input: 'a-${NAME}-b', want: 'a-web-b' },
    { name: 'unset is empty when not strict', input: '[${MISSING}]', want: '[]' },
    { name: ':= default when unset', input: '${MISSING:=fallback}', want: 'fallback' },
    { name: ':= default when empty', input: '${EMPTY:=fallback}', want: 'fallback' },
    { name: ':- default', input: '${MISSING:-x}', want: 'x' },
    { name: '= default', input: '${MISSING=x}', want: 'x' },
    { name: 'default keeps a set value', input: '${NAME:=other}', want: 'web' },
    { name: 'nested default', input: '${MISSING:=${NAME}-x}', want: 'web-x' },
    { name: '$var without braces is left alone', input: 'echo $NAME', want: 'echo $NAME' },
    { name: '$$ escapes a dollar', input: '$${NAME}', want: '${NAME}' },
    { name: 'length', input: '${#NAME}', want: '3' },
    { name: 'upper case', input: '${NAME^^}', want: 'WEB' },
    { name: 'upper first', input: '${NAME^}', want: 'Web' },
    { name: 'lower case', input: '${LONG,,}', want: 'hello.world' },
    { name: 'substring', input: '${LONG:6:3}', want: 'Wor' },
    { name: 'trim shortest suffix', input: '${LONG%.*}', want: 'Hello' },
    { name: 'trim longest prefix', input: '${LONG##*l}', want: 'd' },
    { name: 'replace all', input: '${LONG//l/L}', want: 'HeLLo.WorLd' },
    { name: 'replace first', input: '${LONG/l/L}', want: 'HeLlo.World' },
  ])('$name', ({ input, want }) => {
    expect(envsubst(input, lookup(false))).toBe(want);
  });

  it.each([
    {
      name: 'strict mode refuses an unset variable',
      input: '${MISSING}',
      want: /variable not set \(strict mode\): "MISSING"/,
    },
    { name: 'an unclosed expression is refused', input: '${NAME', want: /missing closing brace/ },
    {
      name: 'a bad variable name is refused',
      input: '${-x}',
      want: /unable to parse variable name/,
    },
  ])('$name', ({ input, want }) => {
    expect(() => envsubst(input, lookup(true))).toThrow(want);
  });

  it('strict mode accepts an unset variable with a default', () => {
    expect(envsubst('${MISSING:=d}', lookup(true))).toBe('d');
  });
});

function configMap(
  data: Record<string, string>,
  metadata: Record<string, unknown> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', ...metadata }, data };
}

describe('substituteVariables', () => {
  it('substitutes in every object and reads numbers back as numbers', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: '${NAME}' },
      spec: { replicas: '${REPLICAS}' },
    };
    const [out] = substituteVariables([deployment], { NAME: 'web', REPLICAS: '3' });
    expect(out?.metadata.name).toBe('web');
    expect(out?.spec).toEqual({ replicas: 3 });
  });

  it('drops newlines from values', () => {
    const [out] = substituteVariables([configMap({ a: '${V}' })], { V: 'x\ny' });
    expect(out?.data).toEqual({ a: 'xy' });
  });

  it.each([
    {
      name: 'an annotation opts out',
      metadata: { annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
    },
    {
      name: 'a label opts out',
      metadata: { labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
    },
  ])('$name', ({ metadata }) => {
    const [out] = substituteVariables([configMap({ a: '${V}' }, metadata)], { V: 'x' });
    expect(out?.data).toEqual({ a: '${V}' });
  });

  it('does nothing without variables unless the strategy is Always', () => {
    const object = configMap({ a: '${V:=d}' });
    expect(substituteVariables([object], {})[0]?.data).toEqual({ a: '${V:=d}' });
    expect(substituteVariables([object], {}, { always: true })[0]?.data).toEqual({ a: 'd' });
  });

  it('fails in strict mode naming the object and variable', () => {
    try {
      substituteVariables([configMap({ a: '${MISSING}' })], { V: 'x' }, { strict: true });
      expect.unreachable();
    } catch (error) {
      expect(isStepError(error) && error.reason).toBe('BuildFailed');
      expect((error as Error).message).toBe(
        `post build failed for 'ConfigMap/cm': envsubst: variable not set (strict mode): "MISSING"`,
      );
    }
  });

  it('refuses an invalid variable name', () => {
    expect(() => substituteVariables([configMap({})], { 'bad-name': 'x' })).toThrow(
      /'bad-name' has an invalid name/,
    );
  });

  it('reports invalid YAML without quoting the values', () => {
    const secret = 'p@ss: {[';
    try {
      substituteVariables([configMap({ a: '${V}' })], { V: secret });
      expect.unreachable();
    } catch (error) {
      expect(isStepError(error) && error.reason).toBe('BuildFailed');
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
