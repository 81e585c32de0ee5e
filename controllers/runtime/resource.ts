import type { KubernetesObject } from '@kubernetes/client-node';

/** Which kind a controller watches; the runtime is generic over it. */
export interface ResourceType {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** A namespaced name, plus its `namespace/name` string form used as the queue key. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
}

export function apiVersionOf(resource: ResourceType): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** Path of the collection, across all namespaces when `namespace` is undefined. */
export function collectionPath(resource: ResourceType, namespace?: string): string {
  const prefix = resource.group === '' ? '/api/v1' : `/apis/${resource.group}/${resource.version}`;
  const scope =
    resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${prefix}${scope}/${resource.plural}`;
}

export function objectPath(resource: ResourceType, key: ObjectKey, subresource?: string): string {
  const base = collectionPath(resource, resource.namespaced ? key.namespace : undefined);
  const tail = subresource ? `/${subresource}` : '';
  return `${base}/${encodeURIComponent(key.name)}${tail}`;
}

export function objectKey(namespace: string, name: string): ObjectKey {
  return { namespace, name, key: namespace ? `${namespace}/${name}` : name };
}

export function keyOfObject(object: KubernetesObject): ObjectKey {
  return objectKey(object.metadata?.namespace ?? '', object.metadata?.name ?? '');
}

export function parseObjectKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0 ? objectKey('', key) : objectKey(key.slice(0, slash), key.slice(slash + 1));
}
