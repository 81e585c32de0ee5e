import { isMap, type Pair, type YAMLMap } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { effectiveNamespace, type Gvk, parseApiVersion, type ResourceId } from './resource-id.ts';
import {
  ensureMap,
  getMap,
  getString,
  scalarKey,
  scalarText,
  setField,
  stringScalar,
} from './yaml-node.ts';

/** How a generated resource joins resources of the same id (kustomize's `behavior`). */
export type GeneratorBehavior = 'create' | 'merge' | 'replace';

/**
 * One resource in a build: its YAML node plus what kustomize keeps in build annotations
 * (previous ids, the prefixes and suffixes applied) so that name references can be followed.
 */
export interface Resource {
  /** The resource itself; transformers and patches replace or edit it. */
  node: YAMLMap;
  /** Where it came from (file path or generator), for error messages. */
  source: string;
  /** Ids it had before a rename, oldest first (kustomize's `previousNames` annotations). */
  previousIds: ResourceId[];
  namePrefixes: string[];
  nameSuffixes: string[];
  /** Set on generated resources. */
  generator?: { behavior: GeneratorBehavior; needsHashSuffix: boolean };
  /** Names of the legacy `vars` that read this resource (kustomize's `refVarNames`). */
  varNames: string[];
  /** Where it came from, for `buildMetadata: [originAnnotations]`. */
  origin?: Origin;
  /** Built-in transformers that ran over it, for `buildMetadata: [transformerAnnotations]`. */
  transformations?: Origin[];
}

/**
 * kustomize's `resource.Origin`: a file (path relative to the built kustomization), or the
 * built-in generator or transformer `kind` configured in a kustomization file.
 */
export type Origin = { path: string } | { configuredIn: string; kind: string };

export function createResource(node: YAMLMap, source: string): Resource {
  return { node, source, previousIds: [], namePrefixes: [], nameSuffixes: [], varNames: [] };
}

export function cloneResource(resource: Resource): Resource {
  return {
    ...resource,
    node: resource.node.clone() as YAMLMap,
    previousIds: [...resource.previousIds],
    namePrefixes: [...resource.namePrefixes],
    nameSuffixes: [...resource.nameSuffixes],
    varNames: [...resource.varNames],
    ...(resource.transformations ? { transformations: [...resource.transformations] } : {}),
    ...(resource.generator ? { generator: { ...resource.generator } } : {}),
  };
}

export function getApiVersion(resource: Resource): string {
  return getString(resource.node, 'apiVersion') ?? '';
}

export function getKind(resource: Resource): string {
  return getString(resource.node, 'kind') ?? '';
}

export function getGvk(resource: Resource): Gvk {
  return { ...parseApiVersion(getApiVersion(resource)), kind: getKind(resource) };
}

export function getName(resource: Resource): string {
  const metadata = getMap(resource.node, 'metadata');
  return (metadata && getString(metadata, 'name')) ?? '';
}

export function getNamespace(resource: Resource): string {
  const metadata = getMap(resource.node, 'metadata');
  return (metadata && getString(metadata, 'namespace')) ?? '';
}

export function setName(resource: Resource, name: string): void {
  setField(ensureMap(resource.node, 'metadata'), 'name', stringScalar(name));
}

/**
 * The current id (kustomize's `CurId`): `getGvk`, `getName` and `getNamespace` in one pass over
 * the resource and one over its metadata, each field from its first pair as `findPair` finds
 * it. The build asks for ids hundreds of times, so the passes count in a cold process.
 */
export function currentId(resource: Resource): ResourceId {
  let apiVersion: Pair | undefined;
  let kind: Pair | undefined;
  let metadata: Pair | undefined;
  for (const pair of resource.node.items) {
    const key = scalarKey(pair);
    if (key === 'apiVersion') apiVersion ??= pair;
    else if (key === 'kind') kind ??= pair;
    else if (key === 'metadata') metadata ??= pair;
  }
  let name: Pair | undefined;
  let namespace: Pair | undefined;
  const meta = metadata?.value;
  if (isMap(meta)) {
    for (const pair of meta.items) {
      const key = scalarKey(pair);
      if (key === 'name') name ??= pair;
      else if (key === 'namespace') namespace ??= pair;
    }
  }
  return {
    ...parseApiVersion(scalarText(apiVersion?.value) ?? ''),
    kind: scalarText(kind?.value) ?? '',
    name: scalarText(name?.value) ?? '',
    namespace: scalarText(namespace?.value) ?? '',
  };
}

/** The id before any rename (kustomize's `OrgId`). */
export function originalId(resource: Resource): ResourceId {
  return resource.previousIds[0] ?? currentId(resource);
}

/** Remembers the current id before a rename (kustomize's `StorePreviousId`). */
export function storePreviousId(resource: Resource): void {
  const id = currentId(resource);
  // kustomize records the effective namespace ("default" for none).
  resource.previousIds.push({ ...id, namespace: effectiveNamespace(id) });
}

/** Refuses a resource without kind or name, as kyaml's `GetValidatedMetadata` does. */
export function validateMetadata(resource: Resource): void {
  const kind = getKind(resource);
  if (kind === '') {
    throw new KustomizeError('InvalidResource', `${resource.source}: missing kind in object`);
  }
  if (!kind.endsWith('List') && getName(resource) === '') {
    throw new KustomizeError(
      'InvalidResource',
      `${resource.source}: missing metadata.name in ${kind}`,
    );
  }
}
