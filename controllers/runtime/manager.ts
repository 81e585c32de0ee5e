import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  type HttpEndpoint,
  healthHandler,
  metricsHandler,
  startHttpEndpoint,
} from './http-endpoints.ts';
import type { KubeAccess } from './kube-connection.ts';
import { LeaderElector } from './leader-election.ts';
import { RuntimeMetrics } from './metrics.ts';
import type { ShutdownResult } from './work-queue.ts';

/** What the manager needs of a controller; every `Controller<T>` is one. */
export interface RunnableController {
  readonly name: string;
  readonly hasSynced: boolean;
  start(): Promise<void>;
  stop(timeoutMs: number): Promise<ShutdownResult>;
}

export interface LeaderElectionConfig {
  readonly namespace: string;
  readonly name: string;
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly releaseOnStop?: boolean;
}

export interface ManagerOptions {
  readonly kubeConfig: KubeAccess;
  readonly logger: Logger;
  readonly metrics?: RuntimeMetrics;
  /** Flux's `--metrics-addr`; no metrics endpoint when undefined or empty. */
  readonly metricsAddr?: string | undefined;
  /** Flux's `--health-addr`; no probe endpoint when undefined or empty. */
  readonly healthAddr?: string | undefined;
  /** Flux's `--leader-elect`; every instance runs the controllers when undefined. */
  readonly leaderElection?: LeaderElectionConfig | undefined;
  /** How long shutdown waits for in-flight reconciles (controller-runtime: 30 s). */
  readonly shutdownTimeoutMs?: number;
  /** Leadership was lost without a stop (the lease could not be renewed): Flux exits then. */
  readonly onLostLeadership?: () => void;
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

/**
 * Runs a set of controllers in one process, like controller-runtime's manager: serves metrics
 * and probes, campaigns for the lease when asked, runs the controllers only while leading, and
 * on shutdown lets their in-flight work finish before handing the lease back.
 */
export class Manager {
  readonly metrics: RuntimeMetrics;
  readonly #options: ManagerOptions;
  readonly #controllers: RunnableController[] = [];
  readonly #endpoints: HttpEndpoint[] = [];
  #elector: LeaderElector | undefined;
  #metricsEndpoint: HttpEndpoint | undefined;
  #healthEndpoint: HttpEndpoint | undefined;
  #started = false;
  #stopping = false;
  #running = false;
  #controllersStopped: Promise<void> | undefined;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.metrics = options.metrics ?? new RuntimeMetrics();
  }

  add(controller: RunnableController): void {
    if (this.#started)
      throw new Error(`add controller ${controller.name}: manager already started`);
    if (this.#controllers.some((c) => c.name === controller.name)) {
      throw new Error(`controller ${controller.name} is registered twice`);
    }
    this.#controllers.push(controller);
  }

  get controllers(): readonly RunnableController[] {
    return this.#controllers;
  }

  /** True while this instance runs the controllers (always, without leader election). */
  get isRunningControllers(): boolean {
    return this.#running;
  }

  get isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader : this.#started;
  }

  get metricsAddress(): string | undefined {
    return this.#metricsEndpoint?.address;
  }

  get healthAddress(): string | undefined {
    return this.#healthEndpoint?.address;
  }

  isHealthy(): boolean {
    return this.#started && !this.#stopping;
  }

  /** Ready when leading with synced caches, or when standing by for the lease. */
  isReady(): boolean {
    if (!this.isHealthy()) return false;
    if (!this.#running) return this.#elector !== undefined;
    return this.#controllers.every((controller) => controller.hasSynced);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { metricsAddr, healthAddr, logger } = this.#options;
    if (metricsAddr) {
      this.#metricsEndpoint = await startHttpEndpoint(
        '--metrics-addr',
        metricsAddr,
        metricsHandler(this.metrics.registry),
      );
      this.#endpoints.push(this.#metricsEndpoint);
      logger.info({ address: this.#metricsEndpoint.address }, 'serving metrics');
    }
    if (healthAddr) {
      this.#healthEndpoint = await startHttpEndpoint(
        '--health-addr',
        healthAddr,
        healthHandler({ healthy: () => this.isHealthy(), ready: () => this.isReady() }),
      );
      this.#endpoints.push(this.#healthEndpoint);
      logger.info({ address: this.#healthEndpoint.address }, 'serving health probes');
    }
    const election = this.#options.leaderElection;
    if (!election) {
      await this.#startControllers();
      return;
    }
    const identity = election.identity ?? defaultIdentity();
    this.metrics.setLeader(election.name, false);
    this.#elector = new LeaderElector({
      kubeConfig: this.#options.kubeConfig,
      namespace: election.namespace,
      name: election.name,
      identity,
      ...(election.leaseDurationMs !== undefined && { leaseDurationMs: election.leaseDurationMs }),
      ...(election.renewDeadlineMs !== undefined && { renewDeadlineMs: election.renewDeadlineMs }),
      ...(election.retryPeriodMs !== undefined && { retryPeriodMs: election.retryPeriodMs }),
      ...(election.releaseOnStop !== undefined && { releaseOnStop: election.releaseOnStop }),
      logger: logger.child({ identity }),
      onStartedLeading: async () => {
        this.metrics.setLeader(election.name, true);
        await this.#startControllers();
      },
      onStoppedLeading: async () => {
        this.metrics.setLeader(election.name, false);
        await this.#stopControllers();
        if (!this.#stopping) this.#options.onLostLeadership?.();
      },
    });
    logger.info(
      { lease: `${election.namespace}/${election.name}`, identity },
      'waiting for the lease',
    );
    this.#elector.start();
  }

  /** Stops the controllers (in-flight work finishes), then releases the lease and the ports. */
  async stop(): Promise<void> {
    if (!this.#started || this.#stopping) return;
    this.#stopping = true;
    await this.#stopControllers();
    await this.#elector?.stop();
    await Promise.all(this.#endpoints.map((endpoint) => endpoint.close()));
  }

  async #startControllers(): Promise<void> {
    if (this.#running || this.#stopping) return;
    this.#running = true;
    this.#controllersStopped = undefined;
    this.#options.logger.info(
      { controllers: this.#controllers.map((c) => c.name) },
      'starting controllers',
    );
    await Promise.all(this.#controllers.map((controller) => controller.start()));
  }

  #stopControllers(): Promise<void> {
    if (!this.#running) return this.#controllersStopped ?? Promise.resolve();
    this.#running = false;
    const timeoutMs = this.#options.shutdownTimeoutMs ?? 30_000;
    this.#controllersStopped = Promise.all(
      this.#controllers.map(async (controller) => {
        const result = await controller.stop(timeoutMs);
        if (!result.drained) {
          this.#options.logger.warn(
            { controller: controller.name, abandoned: result.abandoned },
            'shutdown timeout: reconciles still running were aborted',
          );
        }
      }),
    ).then(() => undefined);
    return this.#controllersStopped;
  }
}
