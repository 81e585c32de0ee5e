import { ApplyError } from './apply-error.ts';
import { formatApiVersion, isRecord, type KubeObject, toKubeObject } from './kube-object.ts';
import {
  applyPatchContentType,
  isKubeStatusError,
  jsonPatchContentType,
  type KubeTransport,
  mergePatchContentType,
} from './kube-transport.ts';
import type { RestMapper } from './rest-mapper.ts';

/** Names one object on the apiserver. */
export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string | undefined;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export function referenceOf(object: KubeObject): ObjectReference {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
  };
}

/** A reference from an ObjMetadata-like value plus the version stored beside it. */
export function referenceFromParts(
  meta: { group: string; kind: string; name: string; namespace: string },
  version: string,
): ObjectReference {
  return {
    apiVersion: formatApiVersion(meta.group, version),
    kind: meta.kind,
    name: meta.name,
    namespace: meta.namespace === '' ? undefined : meta.namespace,
  };
}

/**
 * Reads, server-side applies and deletes objects of any kind, resolving kinds through
 * discovery. One instance per identity (admin or an impersonated ServiceAccount).
 */
export class DynamicClient {
  readonly transport: KubeTransport;
  readonly mapper: RestMapper;

  constructor(transport: KubeTransport, mapper: RestMapper) {
    this.transport = transport;
    this.mapper = mapper;
  }

  /** The object's URL path; throws for a namespaced kind without a namespace. */
  async pathOf(ref: ObjectReference, subresource?: string): Promise<string> {
    const mapping = await this.mapper.mapping(ref.apiVersion, ref.kind);
    const root = mapping.group === '' ? `/api/${mapping.version}` : `/apis/${ref.apiVersion}`;
    let path = root;
    if (mapping.namespaced) {
      if (!ref.namespace) {
        throw new ApplyError(
          'InvalidObject',
          `${ref.kind}/${ref.name} namespace not specified: ${ref.kind} is namespaced; ` +
            'set metadata.namespace or the Kustomization targetNamespace',
        );
      }
      path += `/namespaces/${encodeURIComponent(ref.namespace)}`;
    }
    path += `/${mapping.resource}/${encodeURIComponent(ref.name)}`;
    return subresource ? `${path}/${subresource}` : path;
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectReference, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const path = await this.pathOf(ref);
    try {
      const body = await this.transport({ method: 'GET', path, ...(signal ? { signal } : {}) });
      return toKubeObject(body, `${ref.kind}/${ref.name} from the apiserver`);
    } catch (error) {
      if (isKubeStatusError(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * Server-side apply. `force` takes over fields owned by other managers (Flux always
   * forces); `dryRun` returns what the apiserver would store without storing it.
   */
  async apply(
    object: KubeObject,
    options: { fieldManager: string; force: boolean; dryRun: boolean; signal?: AbortSignal },
  ): Promise<KubeObject> {
    const path = await this.pathOf(referenceOf(object));
    const body = await this.transport({
      method: 'PATCH',
      path,
      query: {
        fieldManager: options.fieldManager,
        force: options.force ? 'true' : undefined,
        dryRun: options.dryRun ? 'All' : undefined,
      },
      body: object,
      contentType: applyPatchContentType,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return toKubeObject(body, `${object.kind}/${object.metadata.name} from the apiserver`);
  }

  /** Deletes; returns false when the object was already gone. */
  async delete(
    ref: ObjectReference,
    options: { propagationPolicy: PropagationPolicy; signal?: AbortSignal },
  ): Promise<boolean> {
    const path = await this.pathOf(ref);
    try {
      await this.transport({
        method: 'DELETE',
        path,
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: options.propagationPolicy,
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return true;
    } catch (error) {
      if (isKubeStatusError(error, 404)) return false;
      throw error;
    }
  }

  /** An RFC 6902 JSON patch of the object, e.g. Flux's managedFields cleanup. */
  async jsonPatch(
    ref: ObjectReference,
    operations: readonly unknown[],
    fieldManager: string,
  ): Promise<KubeObject> {
    const path = await this.pathOf(ref);
    const body = await this.transport({
      method: 'PATCH',
      path,
      query: { fieldManager },
      body: operations,
      contentType: jsonPatchContentType,
    });
    return toKubeObject(body, `${ref.kind}/${ref.name} from the apiserver`);
  }

  /** Merge-patches the status subresource (tests use it to play the missing controllers). */
  async patchStatus(ref: ObjectReference, status: Record<string, unknown>): Promise<KubeObject> {
    const path = await this.pathOf(ref, 'status');
    const body = await this.transport({
      method: 'PATCH',
      path,
      body: { status },
      contentType: mergePatchContentType,
    });
    if (!isRecord(body)) throw new Error(`${ref.kind}/${ref.name}: empty status patch answer`);
    return toKubeObject(body, `${ref.kind}/${ref.name} from the apiserver`);
  }
}
