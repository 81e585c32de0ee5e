import { ApplyError } from './apply-error.ts';
import { isRecord, parseApiVersion } from './kube-object.ts';
import { isKubeStatusError, type KubeTransport } from './kube-transport.ts';

/** Where a kind lives on the apiserver. */
export interface ResourceMapping {
  readonly group: string;
  readonly version: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
  readonly namespaced: boolean;
}

type KindTable = ReadonlyMap<string, { resource: string; namespaced: boolean }>;

/**
 * Maps apiVersion + kind to a resource through discovery, one request per group version,
 * cached. A kind missing from the cache triggers one fresh lookup, so kinds of a CRD applied
 * a moment ago are found once the CRD is Established.
 */
export class RestMapper {
  readonly #transport: KubeTransport;
  readonly #cache = new Map<string, Promise<KindTable>>();

  constructor(transport: KubeTransport) {
    this.#transport = transport;
  }

  async mapping(apiVersion: string, kind: string): Promise<ResourceMapping> {
    const found = await this.#lookup(apiVersion, kind, false);
    if (found) return found;
    const refreshed = await this.#lookup(apiVersion, kind, true);
    if (refreshed) return refreshed;
    throw new ApplyError(
      'UnknownKind',
      `no matches for kind "${kind}" in version "${apiVersion}": ` +
        'install its CustomResourceDefinition first or fix the apiVersion',
    );
  }

  /** Forgets everything, e.g. after CRDs were deleted. */
  reset(): void {
    this.#cache.clear();
  }

  async #lookup(
    apiVersion: string,
    kind: string,
    refresh: boolean,
  ): Promise<ResourceMapping | undefined> {
    if (refresh) this.#cache.delete(apiVersion);
    let table = this.#cache.get(apiVersion);
    if (!table) {
      table = this.#discover(apiVersion);
      this.#cache.set(apiVersion, table);
      // A failed discovery must not stay cached.
      table.catch(() => this.#cache.delete(apiVersion));
    }
    const entry = (await table).get(kind);
    if (!entry) return undefined;
    return { ...parseApiVersion(apiVersion), ...entry };
  }

  async #discover(apiVersion: string): Promise<KindTable> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list: unknown;
    try {
      list = await this.#transport({ method: 'GET', path });
    } catch (error) {
      // An unknown group version is an empty table, not a failure.
      if (isKubeStatusError(error, 404)) return new Map();
      throw error;
    }
    const table = new Map<string, { resource: string; namespaced: boolean }>();
    const resources = isRecord(list) && Array.isArray(list.resources) ? list.resources : [];
    for (const resource of resources) {
      if (!isRecord(resource)) continue;
      const { name, kind, namespaced } = resource;
      // Subresources (deployments/status) share the kind; keep the main resource.
      if (typeof name !== 'string' || typeof kind !== 'string' || name.includes('/')) continue;
      table.set(kind, { resource: name, namespaced: namespaced === true });
    }
    return table;
  }
}
