import { parse, stringify } from 'yaml';
import { StepError } from '../step-error.ts';
import type { KubeObject } from './build-manifests.ts';
import { EnvsubstError, envsubst } from './envsubst.ts';

export const substituteAnnotation = 'kustomize.toolkit.fluxcd.io/substitute';

/** Flux's rule for variable names; Go's `[:alpha:]` is ASCII only. */
const variableName = /^[_A-Za-z][_A-Za-z0-9]*$/;

export interface SubstituteOptions {
  /** Fail on a variable without a value or default (Flux's `--feature-gates=StrictPostBuildSubstitutions`). */
  strict?: boolean;
  /** `substituteStrategy: Always`: substitute even when no variable is defined (defaults apply). */
  always?: boolean;
}

function isOptedOut(object: KubeObject): boolean {
  for (const field of ['labels', 'annotations'] as const) {
    const values = object.metadata[field];
    if (typeof values === 'object' && values !== null) {
      if ((values as Record<string, unknown>)[substituteAnnotation] === 'disabled') return true;
    }
  }
  return false;
}

function describeObject(object: KubeObject): string {
  const ns = typeof object.metadata.namespace === 'string' ? `${object.metadata.namespace}/` : '';
  return `${object.kind}/${ns}${String(object.metadata.name)}`;
}

/**
 * `postBuild` substitution as Flux runs it: each object is written as YAML, every `${…}`
 * expression is expanded in that text and the result is read back (so `replicas: ${N}` becomes
 * a number). Objects labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`
 * are left alone; newlines are dropped from values. With no variables and no `always`, nothing
 * is substituted, as in Flux. Errors name the object and the variable, never a value.
 */
export function substituteVariables(
  objects: readonly KubeObject[],
  variables: Readonly<Record<string, string>>,
  options: SubstituteOptions = {},
): KubeObject[] {
  const names = Object.keys(variables);
  if (names.length === 0 && options.always !== true) return [...objects];
  for (const name of names) {
    if (!variableName.test(name)) {
      throw new StepError(
        'BuildFailed',
        `postBuild variable '${name}' has an invalid name; it must match ^[_[:alpha:]][_[:alpha:][:digit:]]*$`,
        { retryable: false },
      );
    }
  }
  const values = new Map(names.map((n) => [n, (variables[n] ?? '').replaceAll('\n', '')]));
  const lookup = (name: string) => {
    const value = values.get(name);
    return options.strict === true
      ? { value: value ?? '', exists: value !== undefined }
      : { value: value ?? '', exists: true };
  };
  return objects.map((object) => {
    if (isOptedOut(object)) return object;
    const where = describeObject(object);
    let text: string;
    try {
      text = envsubst(stringify(object, { lineWidth: 0 }), lookup);
    } catch (error) {
      const why = error instanceof EnvsubstError ? error.message : 'unexpected error';
      throw new StepError('BuildFailed', `post build failed for '${where}': envsubst: ${why}`, {
        retryable: false,
        cause: error instanceof EnvsubstError ? undefined : error,
      });
    }
    try {
      const value: unknown = parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not a mapping');
      return value as KubeObject;
    } catch (error) {
      // The parser's message quotes the text; keep only its first line, which does not.
      const first = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
      throw new StepError(
        'BuildFailed',
        `post build failed for '${where}': the substituted object is not valid YAML: ${first.replace(/:$/, '')}`,
        { retryable: false },
      );
    }
  });
}
