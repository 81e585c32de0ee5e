import type { YAMLMap } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { FieldReader } from '../kustomization/decode-fields.ts';
import type { JsonPatchOperation } from '../patch/index.ts';
import { parseResources } from '../resource/load-resources.ts';
import {
  currentId,
  getApiVersion,
  getKind,
  getName,
  getNamespace,
  originalId,
  type Resource,
  storePreviousId,
} from '../resource/resource.ts';
import { idString, isSameId } from '../resource/resource-id.ts';
import { deleteField, ensureMap, setField, stringScalar } from '../resource/yaml-node.ts';
import type { PatchSchema } from '../schema/index.ts';
import { guard } from './guard.ts';
import { decodeSelector, selectResources } from './select-resources.ts';

const decoder = new TextDecoder();

// The patch engines are loaded on first use: most builds have no patches, and module loading
// is most of a short build.
const patchEngines = () => import('../patch/index.ts');
type PatchEngines = Awaited<ReturnType<typeof patchEngines>>;

/** Reads a file of the kustomization being built (load restrictor applied). */
export type TargetFileReader = (path: string) => Promise<Uint8Array>;

interface SmOptions {
  allowNameChange: boolean;
  allowKindChange: boolean;
  /** kustomize's `ResMap.ApplySmPatch` path: the patch takes the target's apiVersion. */
  viaSelection: boolean;
  /** The build's custom `openapi` schema; undefined for the built-in Kubernetes one. */
  schema: PatchSchema | undefined;
}

/** kustomize's `Resource.ApplySmPatch`; returns false when the patch deleted the resource. */
function applySmPatch(
  engines: PatchEngines,
  resource: Resource,
  patch: Resource,
  options: SmOptions,
  where: string,
): boolean {
  const patchNode = patch.node.clone() as YAMLMap;
  if (options.viaSelection) {
    setField(patchNode, 'apiVersion', stringScalar(getApiVersion(resource)));
    setField(patchNode, 'kind', stringScalar(getKind(patch)));
  }
  const name = getName(resource);
  const namespace = getNamespace(resource);
  const kind = getKind(resource);
  if (options.allowNameChange || options.allowKindChange) storePreviousId(resource);
  const result = guard(where, () =>
    engines.applyStrategicMergePatch(
      resource.node,
      patchNode,
      options.schema === undefined ? {} : { schema: options.schema },
    ),
  );
  if (result === undefined || result.items.length === 0) return false;
  resource.node = result as YAMLMap;
  if (!options.allowKindChange) setField(resource.node, 'kind', stringScalar(kind));
  const metadata = ensureMap(resource.node, 'metadata');
  if (!options.allowNameChange) setField(metadata, 'name', stringScalar(name));
  if (namespace === '') deleteField(metadata, 'namespace');
  else setField(metadata, 'namespace', stringScalar(namespace));
  return true;
}

/** Applies `patch` to the resources in `targets`, dropping those it deletes. */
function applySmToSet(
  engines: PatchEngines,
  resources: Resource[],
  targets: readonly Resource[],
  patch: Resource,
  options: SmOptions,
  where: string,
): void {
  for (const target of targets) {
    if (!applySmPatch(engines, target, patch, options, where))
      resources.splice(resources.indexOf(target), 1);
  }
}

/** kustomize's `GetById(patch.OrgId())`: exactly one resource whose id, now or before, matches. */
function resourceForPatch(
  resources: readonly Resource[],
  patch: Resource,
  where: string,
): Resource {
  const id = originalId(patch);
  const matches = resources.filter((r) =>
    [...r.previousIds, currentId(r)].some((other) => isSameId(id, other)),
  );
  if (matches.length !== 1) {
    const what = matches.length === 0 ? 'no matches' : 'multiple matches';
    throw new KustomizeError(
      'ResourceNotFound',
      `${where}: ${what} for Id ${idString(id)}; failed to find unique target for patch`,
    );
  }
  return matches[0] as Resource;
}

/** `patchesStrategicMerge`: each entry is inline YAML or a file path. */
export async function runPatchesStrategicMerge(
  resources: Resource[],
  entries: readonly unknown[],
  read: TargetFileReader,
  where: string,
  schema: PatchSchema | undefined,
): Promise<void> {
  if (entries.length === 0) return;
  const engines = await patchEngines();
  const patches: Resource[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string')
      throw new KustomizeError(
        'InvalidKustomization',
        `${where}: patchesStrategicMerge entries must be strings`,
      );
    let loaded: Resource[];
    try {
      loaded = parseResources(entry, `${where}: patchesStrategicMerge`);
    } catch {
      loaded = parseResources(decoder.decode(await read(entry)), `${where}: ${entry}`);
    }
    for (const patch of loaded) patches.push(patch);
  }
  for (const patch of patches) {
    const target = resourceForPatch(resources, patch, where);
    applySmToSet(
      engines,
      resources,
      [target],
      patch,
      { allowNameChange: false, allowKindChange: false, viaSelection: true, schema },
      where,
    );
  }
}

function parsePatchText(
  engines: PatchEngines,
  text: string,
  where: string,
): { sm?: Resource[]; json?: JsonPatchOperation[] } {
  let sm: Resource[] | undefined;
  let json: JsonPatchOperation[] | undefined;
  try {
    sm = parseResources(text, where);
  } catch {
    sm = undefined;
  }
  try {
    json = engines.parseJsonPatch(text);
  } catch {
    json = undefined;
  }
  if (sm !== undefined && json !== undefined) {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: illegally qualifies as both an SM and JSON patch`,
    );
  }
  if (sm === undefined && json === undefined) {
    throw new KustomizeError('InvalidKustomization', `${where}: unable to parse SM or JSON patch`);
  }
  return sm !== undefined ? { sm } : json !== undefined ? { json } : {};
}

/** `patches`: strategic merge or JSON 6902, inline or by path, with an optional target. */
export async function runPatches(
  resources: Resource[],
  entries: readonly unknown[],
  read: TargetFileReader,
  where: string,
  schema: PatchSchema | undefined,
): Promise<void> {
  if (entries.length === 0) return;
  const engines = await patchEngines();
  for (const [index, entry] of entries.entries()) {
    const at = `${where}: patches[${index}]`;
    const reader = new FieldReader(entry, ['path', 'patch', 'target', 'options'], at);
    const inline = reader.string('patch').trim();
    const path = reader.string('path');
    if (inline === '' && path === '')
      throw new KustomizeError('InvalidKustomization', `${at}: must specify one of patch and path`);
    if (inline !== '' && path !== '')
      throw new KustomizeError(
        'InvalidKustomization',
        `${at}: patch and path can't be set at the same time`,
      );
    const text = inline !== '' ? inline : decoder.decode(await read(path));
    const options = new FieldReader(
      reader.raw('options'),
      ['allowNameChange', 'allowKindChange'],
      `${at}.options`,
    );
    const target = reader.has('target')
      ? decodeSelector(reader.raw('target'), `${at}.target`)
      : undefined;
    const parsed = parsePatchText(engines, text, at);
    if (parsed.sm) {
      const smOptions = {
        schema,
        allowNameChange: options.boolean('allowNameChange'),
        allowKindChange: options.boolean('allowKindChange'),
      };
      if (target !== undefined) {
        if (parsed.sm.length > 1) {
          throw new KustomizeError(
            'InvalidKustomization',
            `${at}: Multiple Strategic-Merge Patches in one \`patches\` entry is not allowed to set \`patches.target\` field`,
          );
        }
        const patch = parsed.sm[0] as Resource;
        applySmToSet(
          engines,
          resources,
          await selectResources(resources, target, at),
          patch,
          { ...smOptions, viaSelection: true },
          at,
        );
        continue;
      }
      for (const patch of parsed.sm) {
        const resource = resourceForPatch(resources, patch, at);
        applySmToSet(
          engines,
          resources,
          [resource],
          patch,
          { ...smOptions, viaSelection: false },
          at,
        );
      }
      continue;
    }
    if (target === undefined)
      throw new KustomizeError(
        'InvalidKustomization',
        `${at}: must specify a target for JSON patch`,
      );
    const operations = parsed.json ?? [];
    for (const resource of await selectResources(resources, target, at)) {
      storePreviousId(resource);
      resource.node = guard(at, () => engines.applyJsonPatch(resource.node, operations)) as YAMLMap;
    }
  }
}

/** `patchesJson6902`: a JSON patch (inline `patch` or `path`) for the resources a target selects. */
export async function runPatchesJson6902(
  resources: Resource[],
  entries: readonly unknown[],
  read: TargetFileReader,
  where: string,
): Promise<void> {
  if (entries.length === 0) return;
  const engines = await patchEngines();
  for (const [index, entry] of entries.entries()) {
    const at = `${where}: patchesJson6902[${index}]`;
    const reader = new FieldReader(entry, ['target', 'path', 'patch'], at);
    const target = decodeSelector(reader.raw('target'), `${at}.target`);
    if (!target.name)
      throw new KustomizeError('InvalidKustomization', `${at}: must specify the target name`);
    const inline = reader.string('patch');
    const path = reader.string('path');
    if (inline === '' && path === '')
      throw new KustomizeError('InvalidKustomization', `${at}: empty file path and empty jsonOp`);
    if (inline !== '' && path !== '')
      throw new KustomizeError(
        'InvalidKustomization',
        `${at}: must specify a file path or jsonOp, not both`,
      );
    const text = path !== '' ? decoder.decode(await read(path)) : inline;
    const operations = guard(at, () => engines.parseJsonPatch(text));
    if (operations.length === 0)
      throw new KustomizeError('InvalidKustomization', `${at}: patch appears to be empty`);
    for (const resource of await selectResources(resources, target, at)) {
      resource.node = guard(at, () => engines.applyJsonPatch(resource.node, operations)) as YAMLMap;
    }
  }
}
