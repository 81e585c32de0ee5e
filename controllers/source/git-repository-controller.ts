import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { GitRepositoryApi } from '../../api/index.ts';
import {
  Controller,
  type ControllerRegistration,
  controllerDefaults,
  ObjectClient,
  parseListenAddress,
  type ResourceType,
  type RunnableController,
  type ShutdownResult,
} from '../runtime/index.ts';
import { type ArtifactServer, startArtifactServer } from './artifact-server.ts';
import { ArtifactStorage } from './artifact-storage.ts';
import { type GitRepositoryObject, GitRepositoryReconciler } from './git-repository-reconciler.ts';

export const gitRepositoryType: ResourceType = {
  group: GitRepositoryApi.group,
  version: GitRepositoryApi.version,
  plural: GitRepositoryApi.plural,
  kind: GitRepositoryApi.kind,
  namespaced: true,
};

/**
 * Flux's default `--storage-adv-addr`: the bound host, or the pod's hostname when the server
 * listens on every interface.
 */
export function advertisedAddress(host: string | undefined, port: number): string {
  const wildcard = host === undefined || host === '' || host === '0.0.0.0' || host === '::';
  const shown = wildcard ? hostname() : host.includes(':') ? `[${host}]` : host;
  return `${shown}:${port}`;
}

/** The GitRepository controller plus the artifact server it fills; they stop together. */
class SourceControllerRunnable implements RunnableController {
  readonly name: string;
  readonly #controller: Controller<GitRepositoryObject>;
  readonly #server: ArtifactServer;

  constructor(controller: Controller<GitRepositoryObject>, server: ArtifactServer) {
    this.name = controller.name;
    this.#controller = controller;
    this.#server = server;
  }

  get hasSynced(): boolean {
    return this.#controller.hasSynced;
  }

  start(): Promise<void> {
    return this.#controller.start();
  }

  async stop(timeoutMs: number): Promise<ShutdownResult> {
    const result = await this.#controller.stop(timeoutMs);
    await this.#server.close();
    return result;
  }
}

/** `--controllers source`: GitRepositories kept as artifacts, served over HTTP. */
export const sourceController: ControllerRegistration = {
  name: 'source',
  description: 'GitRepository (source.toolkit.fluxcd.io/v1) artifacts and their HTTP server',
  async create(context) {
    const { settings } = context;
    await mkdir(settings.storagePath, { recursive: true });
    const listen = parseListenAddress('--storage-addr', settings.storageAddr);
    const server = await startArtifactServer({
      root: settings.storagePath,
      host: listen.host ?? '0.0.0.0',
      port: listen.port,
    });
    const storage = new ArtifactStorage({
      basePath: settings.storagePath,
      advertisedAddress: settings.storageAdvAddr || advertisedAddress(listen.host, server.port),
    });
    const client = new ObjectClient<GitRepositoryObject>(context.kubeConfig, gitRepositoryType);
    const reconciler = new GitRepositoryReconciler({
      kubeConfig: context.kubeConfig,
      client,
      storage,
      events: context.events('source-controller'),
      requeueDependencyMs: settings.requeueDependencyMs,
    });
    const controller = new Controller<GitRepositoryObject>({
      ...controllerDefaults(context),
      name: 'gitrepository',
      resource: gitRepositoryType,
      reconcile: reconciler.reconcile,
    });
    context.logger.info(
      { storagePath: settings.storagePath, storageAddr: server.address },
      'artifact server listening',
    );
    return new SourceControllerRunnable(controller, server);
  },
};
