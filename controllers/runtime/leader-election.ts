import type { Logger } from 'pino';
import type { KubeAccess } from './kube-connection.ts';
import { isKubeApiError, kubeRequest } from './kube-request.ts';

export interface LeaderElectionOptions {
  readonly kubeConfig: KubeAccess;
  readonly namespace: string;
  /** Lease name; Flux uses e.g. `source-controller-leader-election`. */
  readonly name: string;
  /** Unique per process: hostname plus a random suffix. */
  readonly identity: string;
  /** Flux's `--leader-election-lease-duration` (35 s). */
  readonly leaseDurationMs?: number;
  /** Flux's `--leader-election-renew-deadline` (30 s). */
  readonly renewDeadlineMs?: number;
  /** Flux's `--leader-election-retry-period` (5 s). */
  readonly retryPeriodMs?: number;
  /** Hand the lease back on stop so a standby takes over at once (client-go ReleaseOnCancel). */
  readonly releaseOnStop?: boolean;
  readonly logger: Logger;
  readonly onStartedLeading: () => void | Promise<void>;
  readonly onStoppedLeading: () => void | Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** MicroTime wants six fractional digits; JavaScript dates have three. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a lease held by
 * someone else counts as expired only when its record has not changed for a lease duration
 * *as measured on our clock* (clocks of different nodes are never compared); the leader renews
 * every retry period and gives up leading when it could not renew within the renew deadline.
 */
export class LeaderElector {
  readonly #options: LeaderElectionOptions;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  #observed = '';
  #observedAt = 0;
  #leader = false;
  #lastRenew = 0;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.#leaseMs = options.leaseDurationMs ?? 35_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 30_000;
    this.#retryMs = options.retryPeriodMs ?? 5_000;
    if (this.#renewDeadlineMs >= this.#leaseMs) {
      throw new Error(
        'leader election: the renew deadline must be shorter than the lease duration',
      );
    }
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  get identity(): string {
    return this.#options.identity;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops campaigning; a leader releases the lease (unless told not to) and stops leading. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#tick;
    const wasLeader = this.#leader;
    this.#leader = false;
    // Release even when not (yet) leading: a round cut short by stop may have taken the lease.
    if (this.#options.releaseOnStop ?? true) await this.#release();
    if (wasLeader) await this.#options.onStoppedLeading();
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#tick = this.#round();
    }, delayMs);
  }

  async #round(): Promise<void> {
    const now = Date.now();
    // A hung request must not outlive the renew deadline: a leader that cannot tell whether it
    // renewed has to stop leading before a standby may take over (client-go bounds it the same).
    const budget = this.#leader
      ? this.#lastRenew + this.#renewDeadlineMs - now
      : this.#renewDeadlineMs;
    const signal = AbortSignal.timeout(Math.max(budget, 1));
    let ok = false;
    try {
      ok = await this.#tryAcquireOrRenew(now, signal);
    } catch (error) {
      this.#options.logger.warn(
        { lease: this.#leaseRef(), error: error instanceof Error ? error.message : String(error) },
        'leader election: lease update failed',
      );
    }
    if (!this.#running) return;
    if (ok) {
      this.#lastRenew = now;
      if (!this.#leader) {
        this.#leader = true;
        this.#options.logger.info({ lease: this.#leaseRef() }, 'successfully acquired lease');
        await this.#options.onStartedLeading();
      }
    } else if (this.#leader && Date.now() - this.#lastRenew >= this.#renewDeadlineMs) {
      this.#leader = false;
      this.#running = false;
      this.#options.logger.error({ lease: this.#leaseRef() }, 'leader election lost');
      await this.#options.onStoppedLeading();
      return;
    }
    // client-go waits retryPeriod * (1 + up to 20 %) between attempts to spread contenders.
    this.#schedule(this.#leader ? this.#retryMs : this.#retryMs * (1 + Math.random() * 0.2));
  }

  #leaseRef(): string {
    return `${this.#options.namespace}/${this.#options.name}`;
  }

  #path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#options.namespace)}/leases`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  async #read(signal?: AbortSignal): Promise<Lease | undefined> {
    try {
      return await kubeRequest<Lease>(this.#options.kubeConfig, {
        method: 'GET',
        path: this.#path(this.#options.name),
        ...(signal && { signal }),
      });
    } catch (error) {
      if (isKubeApiError(error, 404)) return undefined;
      throw error;
    }
  }

  async #tryAcquireOrRenew(now: number, signal: AbortSignal): Promise<boolean> {
    const { identity, namespace, name, kubeConfig } = this.#options;
    const leaseDurationSeconds = Math.ceil(this.#leaseMs / 1000);
    const existing = await this.#read(signal);
    if (!existing) {
      const spec: LeaseSpec = {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: microTime(new Date(now)),
        renewTime: microTime(new Date(now)),
        leaseTransitions: 0,
      };
      try {
        await kubeRequest(kubeConfig, {
          method: 'POST',
          path: this.#path(),
          signal,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec,
          },
        });
      } catch (error) {
        if (isKubeApiError(error, 409)) return false;
        throw error;
      }
      this.#observe(spec, now);
      return true;
    }
    const current = existing.spec ?? {};
    const record = JSON.stringify(current);
    if (record !== this.#observed) this.#observe(current, now);
    const holder = current.holderIdentity ?? '';
    const duration = (current.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (holder !== '' && holder !== identity && this.#observedAt + duration > now) return false;
    const isRenewal = holder === identity;
    const spec: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: isRenewal
        ? (current.acquireTime ?? microTime(new Date(now)))
        : microTime(new Date(now)),
      renewTime: microTime(new Date(now)),
      leaseTransitions: (current.leaseTransitions ?? 0) + (isRenewal ? 0 : 1),
    };
    try {
      await kubeRequest(kubeConfig, {
        method: 'PUT',
        path: this.#path(name),
        signal,
        body: { ...existing, spec },
      });
    } catch (error) {
      if (isKubeApiError(error, 409)) return false;
      throw error;
    }
    this.#observe(spec, now);
    return true;
  }

  #observe(spec: LeaseSpec, now: number): void {
    this.#observed = JSON.stringify(spec);
    this.#observedAt = now;
  }

  /** Empties the holder so a standby may acquire at once instead of waiting for expiry. */
  async #release(): Promise<void> {
    const signal = AbortSignal.timeout(this.#renewDeadlineMs);
    try {
      const existing = await this.#read(signal);
      if (!existing || existing.spec?.holderIdentity !== this.#options.identity) return;
      const now = microTime(new Date());
      await kubeRequest(this.#options.kubeConfig, {
        method: 'PUT',
        path: this.#path(this.#options.name),
        signal,
        body: {
          ...existing,
          spec: {
            ...existing.spec,
            holderIdentity: null,
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
      });
      this.#options.logger.info({ lease: this.#leaseRef() }, 'released lease');
    } catch (error) {
      this.#options.logger.warn(
        { lease: this.#leaseRef(), error: error instanceof Error ? error.message : String(error) },
        'leader election: could not release the lease; a standby takes over after it expires',
      );
    }
  }
}
