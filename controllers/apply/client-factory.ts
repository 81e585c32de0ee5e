import type { KubeAccess } from '../runtime/index.ts';
import { DynamicClient } from './dynamic-client.ts';
import { createKubeTransport, type RequestObserver } from './kube-transport.ts';
import { RestMapper } from './rest-mapper.ts';

/** The Kubernetes user name of a ServiceAccount, as the apiserver authenticates it. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * Hands out dynamic clients: the controller's own identity, or a ServiceAccount impersonated
 * as Flux does for `spec.serviceAccountName`. Discovery is shared (it does not depend on the
 * caller) and clients are cached per identity.
 */
export class KubeClientFactory {
  readonly #kubeConfig: KubeAccess;
  readonly #observer: RequestObserver | undefined;
  readonly #mapper: RestMapper;
  readonly #clients = new Map<string, DynamicClient>();

  constructor(kubeConfig: KubeAccess, options: { observer?: RequestObserver } = {}) {
    this.#kubeConfig = kubeConfig;
    this.#observer = options.observer;
    this.#mapper = new RestMapper(
      createKubeTransport(kubeConfig, this.#observer ? { observer: this.#observer } : {}),
    );
  }

  /** The client acting as the controller itself. */
  controllerClient(): DynamicClient {
    return this.#clientFor(undefined);
  }

  /** A client acting as `system:serviceaccount:<namespace>:<name>`. */
  serviceAccountClient(namespace: string, name: string): DynamicClient {
    return this.#clientFor(serviceAccountUser(namespace, name));
  }

  #clientFor(user: string | undefined): DynamicClient {
    const key = user ?? '';
    const cached = this.#clients.get(key);
    if (cached) return cached;
    const transport = createKubeTransport(this.#kubeConfig, {
      ...(this.#observer && { observer: this.#observer }),
      ...(user !== undefined && { impersonate: user }),
    });
    const client = new DynamicClient(transport, this.#mapper);
    this.#clients.set(key, client);
    return client;
  }
}
