import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { applyFieldSpec, type FieldSpec } from '../field-spec/field-spec.ts';
import { getGvk, getKind, type Resource } from '../resource/resource.ts';
import { findPair, scalarKey, stringScalar } from '../resource/yaml-node.ts';

/** One entry of a kustomization's `images`. */
export interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** kustomize's `image.Split`: name, tag and digest of an image reference. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = Math.max(slash, 0);
  const search = image.slice(offset);
  let at = search.indexOf('@');
  let colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) {
    at += offset;
    return { name: image.slice(0, at), tag: '', digest: image.slice(at + 1) };
  }
  if (at >= 0 && colon >= 0) {
    at += offset;
    colon += offset;
    return {
      name: image.slice(0, colon),
      tag: image.slice(colon + 1, at),
      digest: image.slice(at + 1),
    };
  }
  colon += offset;
  return { name: image.slice(0, colon), tag: image.slice(colon + 1), digest: '' };
}

function imageMatcher(name: string): RegExp | undefined {
  try {
    // kustomize puts the configured name into the pattern unescaped; so do we.
    return new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
  } catch {
    return undefined;
  }
}

/** The new image reference, or undefined when `override` does not match `image`. */
export function updateImage(image: string, override: ImageOverride): string | undefined {
  if (!imageMatcher(override.name)?.test(image)) return undefined;
  let { name, tag, digest } = splitImage(image);
  if (override.newName) name = override.newName;
  if (override.newTag && override.digest) {
    tag = override.newTag;
    digest = override.digest;
  } else if (override.newTag) {
    tag = override.newTag;
    digest = '';
  } else if (override.digest) {
    tag = '';
    digest = override.digest;
  } else if (override.tagSuffix) {
    tag += override.tagSuffix;
    digest = '';
  }
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

function setImageNode(
  node: Node,
  override: ImageOverride,
  where: string,
  replace: (n: Node) => void,
): void {
  if (!isScalar(node))
    throw new KustomizeError('InvalidResource', `${where}: image must be a scalar`);
  if (node.value === null) return;
  const updated = updateImage(String(node.source ?? node.value), override);
  if (updated !== undefined) replace(stringScalar(updated));
}

/** kustomize's legacy image pass: every `containers`/`initContainers` list anywhere. */
function walkContainers(node: Node, override: ImageOverride, where: string): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const value = pair.value as Node | null;
      if (value === null || value === undefined) continue;
      walkContainers(value, override, where);
      const key = scalarKey(pair);
      if ((key === 'containers' || key === 'initContainers') && isSeq(value)) {
        for (const container of value.items) {
          if (!isMap(container)) continue;
          const imagePair = findPair(container, 'image');
          if (imagePair?.value === null || imagePair?.value === undefined) continue;
          setImageNode(imagePair.value as Node, override, where, (n) => {
            imagePair.value = n;
          });
        }
      }
    }
  } else if (isSeq(node)) {
    for (const item of node.items) if (item !== null) walkContainers(item as Node, override, where);
  }
}

/** kustomize's ImageTagTransformer for one `images` entry. */
export function overrideImages(
  resources: Resource[],
  override: ImageOverride,
  specs: readonly FieldSpec[],
): void {
  for (const resource of resources) {
    if (getKind(resource) === 'CustomResourceDefinition') continue;
    walkContainers(resource.node, override, resource.source);
  }
  for (const resource of resources) {
    if (getKind(resource) === 'CustomResourceDefinition') continue;
    const gvk = getGvk(resource);
    for (const spec of specs) {
      applyFieldSpec(resource.node, gvk, spec, undefined, (field) =>
        setImageNode(field.node, override, resource.source, field.replace),
      );
    }
  }
}
