import { type Kustomization, Reason } from '../../api/index.ts';
import type { DynamicClient } from '../apply/index.ts';
import { secretData } from './decryption-keys-step.ts';
import { messageOf } from './source-step.ts';
import { StepError } from './step-error.ts';

/**
 * Flux's LoadVariables plus `postBuild.substitute`: the keys of every `substituteFrom`
 * ConfigMap and Secret in order (a later one wins), then the inline values on top. A missing
 * object marked `optional` counts as empty; any other missing object is a BuildFailed.
 * Newlines are removed from values, as Flux does. Values are never put in a message.
 */
export async function loadVariables(
  ks: Kustomization,
  client: DynamicClient,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const postBuild = ks.spec.postBuild;
  const variables: Record<string, string> = {};
  const namespace = ks.metadata.namespace ?? '';
  for (const reference of postBuild?.substituteFrom ?? []) {
    const subject = `${reference.kind}/${reference.name}`;
    let object: Record<string, unknown> | undefined;
    try {
      object = await client.get(
        { apiVersion: 'v1', kind: reference.kind, name: reference.name, namespace },
        signal,
      );
    } catch (error) {
      throw new StepError(
        Reason.BuildFailed,
        `substitute from '${subject}' error: ${messageOf(error)}`,
        { cause: error },
      );
    }
    if (object === undefined) {
      if (reference.optional === true) continue;
      const plural = reference.kind === 'Secret' ? 'secrets' : 'configmaps';
      throw new StepError(
        Reason.BuildFailed,
        `substitute from '${subject}' error: ${plural} "${reference.name}" not found`,
      );
    }
    const values =
      reference.kind === 'Secret'
        ? Object.entries(secretData(object)).map(([k, v]) => [k, Buffer.from(v).toString('utf8')])
        : Object.entries(stringMap(object.data));
    for (const [key, value] of values) {
      if (key !== undefined && value !== undefined) variables[key] = value.replaceAll('\n', '');
    }
  }
  for (const [key, value] of Object.entries(postBuild?.substitute ?? {})) {
    variables[key] = value.replaceAll('\n', '');
  }
  return variables;
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
