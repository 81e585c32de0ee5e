import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { Logger } from 'pino';
import { parseDuration } from '../api/index.ts';
import {
  kustomizeController,
  objectLevelWorkloadIdentityGate,
  parseFeatureGates,
  setObjectLevelWorkloadIdentity,
} from '../controllers/kustomize/index.ts';
import {
  type ControllerRegistration,
  ControllerRegistry,
  type ControllerSettings,
  createControllerContext,
  createLogger,
  defaultIdentity,
  KubeConnection,
  Manager,
  RuntimeMetrics,
  loadKubeConfig as readKubeConfig,
  tuneV8ForController,
} from '../controllers/runtime/index.ts';
import { sourceController } from '../controllers/source/index.ts';

/**
 * The controllers built into the binary, selected with `--controllers`. Each reconciler
 * exports a {@link ControllerRegistration} and is listed here.
 */
const BUILT_IN_CONTROLLERS: readonly ControllerRegistration[] = [
  sourceController,
  kustomizeController,
];

export function builtInControllers(): ControllerRegistry {
  const registry = new ControllerRegistry();
  for (const registration of BUILT_IN_CONTROLLERS) registry.register(registration);
  return registry;
}

/** Flags as commander hands them over; booleans may come as `true` or as `=true`/`=false`. */
export interface ControllerFlags {
  concurrent: string;
  metricsAddr: string;
  healthAddr: string;
  leaderElect: boolean | string;
  /** Flux's older name for `--leader-elect`, still in its manifests. */
  enableLeaderElection: boolean | string;
  leaderElectionLeaseDuration: string;
  leaderElectionRenewDeadline: string;
  leaderElectionRetryPeriod: string;
  leaderElectionReleaseOnCancel: boolean | string;
  leaderElectionNamespace?: string;
  leaderElectionId: string;
  storagePath?: string;
  storageAddr: string;
  storageAdvAddr?: string;
  /** Commander's view of `--no-cross-namespace-refs`: see {@link isNoCrossNamespaceRefs}. */
  crossNamespaceRefs: boolean | string;
  defaultServiceAccount: string;
  controllers?: string;
  kubeconfig?: string;
  watchNamespace?: string;
  watchAllNamespaces: boolean | string;
  watchLabelSelector?: string;
  requeueDependency: string;
  logEncoding: string;
  eventsAddr?: string;
  minRetryDelay: string;
  maxRetryDelay: string;
  intervalJitterPercentage: string;
  gracefulShutdownTimeout: string;
  logLevel: string;
  /** Flux's `--feature-gates=Name=true,...`. */
  featureGates?: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** Go-style boolean flag values: bare `--flag`, `--flag=true`, `--flag=false`. */
function flagBoolean(flag: string, value: boolean | string): boolean {
  if (typeof value === 'boolean') return value;
  if (/^(true|1|t)$/i.test(value)) return true;
  if (/^(false|0|f)$/i.test(value)) return false;
  throw new Error(`${flag}: "${value}" is not true or false`);
}

/**
 * Commander treats a `--no-` flag as the negation of a positive one: bare gives false, absent
 * gives true, and `=true`/`=false` arrive as strings. Flux's flag is itself named `--no-...`,
 * and its manifests write `--no-cross-namespace-refs=true`.
 */
function isNoCrossNamespaceRefs(value: boolean | string): boolean {
  if (typeof value === 'boolean') return !value;
  return flagBoolean('--no-cross-namespace-refs', value);
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(`${flag}: "${value}" is not a positive whole number`);
  }
  return number;
}

function duration(flag: string, value: string): number {
  return parseDuration(value, flag);
}

/** The controller's own connection; client-node is not loaded (it costs ~80 MiB). */
function loadKubeConfig(path: string | undefined): KubeConnection {
  return new KubeConnection(readKubeConfig({ path: path === undefined ? path : resolve(path) }));
}

/** The pod's namespace when in a cluster (as Flux's RUNTIME_NAMESPACE), else flux-system. */
function runtimeNamespace(): string {
  if (process.env.RUNTIME_NAMESPACE) return process.env.RUNTIME_NAMESPACE;
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
  } catch {
    return 'flux-system';
  }
}

export function settingsFromFlags(flags: ControllerFlags): ControllerSettings {
  const jitterPercent = Number(flags.intervalJitterPercentage);
  if (!Number.isFinite(jitterPercent) || jitterPercent < 0 || jitterPercent >= 100) {
    throw new Error(
      `--interval-jitter-percentage: "${flags.intervalJitterPercentage}" must be from 0 to 99`,
    );
  }
  return {
    concurrent: positiveInteger('--concurrent', flags.concurrent),
    storagePath: resolve(flags.storagePath ?? 'data'),
    storageAddr: flags.storageAddr,
    storageAdvAddr: flags.storageAdvAddr ?? '',
    noCrossNamespaceRefs: isNoCrossNamespaceRefs(flags.crossNamespaceRefs),
    defaultServiceAccount: flags.defaultServiceAccount,
    minRetryDelayMs: duration('--min-retry-delay', flags.minRetryDelay),
    maxRetryDelayMs: duration('--max-retry-delay', flags.maxRetryDelay),
    intervalJitter: jitterPercent / 100,
    watchNamespace:
      flags.watchNamespace ||
      (flagBoolean('--watch-all-namespaces', flags.watchAllNamespaces)
        ? undefined
        : runtimeNamespace()),
    watchLabelSelector: flags.watchLabelSelector || undefined,
    requeueDependencyMs: duration('--requeue-dependency', flags.requeueDependency),
  };
}

export interface StartedController {
  readonly manager: Manager;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/**
 * Builds and starts the runtime with the controllers `--controllers` selects from `registry`.
 * The command wraps this with signal handling; tests call it directly.
 */
export async function startController(
  flags: ControllerFlags,
  registry: ControllerRegistry,
  hooks: { logger?: Logger; onLostLeadership?: () => void } = {},
): Promise<StartedController> {
  const level = flags.logLevel as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new Error(`--log-level: "${flags.logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const settings = settingsFromFlags(flags);
  const featureGates = parseFeatureGates(flags.featureGates ?? '');
  const requested = flags.controllers
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const registrations = registry.select(requested);
  const logger = hooks.logger ?? createLogger({ level });
  const kubeConfig = loadKubeConfig(flags.kubeconfig);
  const leaderElect =
    flagBoolean('--leader-elect', flags.leaderElect) ||
    flagBoolean('--enable-leader-election', flags.enableLeaderElection);
  if (flags.logEncoding !== 'json' && flags.logEncoding !== 'console') {
    throw new Error(`--log-encoding: "${flags.logEncoding}" is not json or console`);
  }
  const metrics = new RuntimeMetrics();
  const manager = new Manager({
    kubeConfig,
    logger,
    metrics,
    metricsAddr: flags.metricsAddr,
    healthAddr: flags.healthAddr,
    shutdownTimeoutMs: duration('--graceful-shutdown-timeout', flags.gracefulShutdownTimeout),
    leaderElection: leaderElect
      ? {
          namespace: flags.leaderElectionNamespace || runtimeNamespace(),
          name: flags.leaderElectionId,
          identity: defaultIdentity(),
          leaseDurationMs: duration(
            '--leader-election-lease-duration',
            flags.leaderElectionLeaseDuration,
          ),
          renewDeadlineMs: duration(
            '--leader-election-renew-deadline',
            flags.leaderElectionRenewDeadline,
          ),
          retryPeriodMs: duration(
            '--leader-election-retry-period',
            flags.leaderElectionRetryPeriod,
          ),
          releaseOnStop: flagBoolean(
            '--leader-election-release-on-cancel',
            flags.leaderElectionReleaseOnCancel,
          ),
        }
      : undefined,
    ...(hooks.onLostLeadership && { onLostLeadership: hooks.onLostLeadership }),
  });
  const context = createControllerContext({ kubeConfig, logger, metrics, settings });
  for (const registration of registrations) {
    const created = await registration.create(context);
    for (const controller of Array.isArray(created) ? created : [created]) manager.add(controller);
  }
  // As Flux: a process-wide switch, read where a ServiceAccount token would be requested.
  setObjectLevelWorkloadIdentity(featureGates.get(objectLevelWorkloadIdentityGate) ?? false);
  const ignoredGates = [...featureGates.keys()].filter(
    (g) => g !== objectLevelWorkloadIdentityGate,
  );
  if (ignoredGates.length > 0) {
    logger.warn(
      { gates: ignoredGates },
      '--feature-gates: accepted for Flux compatibility; no effect',
    );
  }
  if (flags.eventsAddr) {
    logger.warn(
      { eventsAddr: flags.eventsAddr },
      '--events-addr: forwarding events to a notification-controller is not supported; events are recorded in the cluster only',
    );
  }
  if (registrations.length === 0) {
    logger.warn('no controllers selected or registered; serving probes and metrics only');
  }
  await manager.start();
  return { manager, logger, stop: () => manager.stop() };
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolveSignal(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

async function runController(flags: ControllerFlags, registry: ControllerRegistry): Promise<void> {
  let lost: () => void = () => {};
  const leadershipLost = new Promise<'lost'>((resolveLost) => {
    lost = () => resolveLost('lost');
  });
  const signal = waitForSignal();
  tuneV8ForController();
  const started = await startController(flags, registry, { onLostLeadership: lost });
  const outcome = await Promise.race([signal, leadershipLost]);
  if (outcome === 'lost') {
    // As Flux does: a controller that lost its lease exits, and its pod restarts it.
    started.logger.error('leader election lost; exiting');
    process.exitCode = 1;
  } else {
    started.logger.info({ signal: outcome }, 'shutting down');
  }
  await started.stop();
  started.logger.info('stopped');
}

/** `kustodian controller`: runs the GitOps controllers, with Flux's flag names. */
export function registerControllerCommand(
  program: Command,
  registry: ControllerRegistry = builtInControllers(),
): void {
  program
    .command('controller')
    .description(
      'run the GitOps controllers (GitRepository, Kustomization) against a cluster, as Flux does',
    )
    .option('--controllers <names>', 'comma-separated controllers to run (default: all built in)')
    .option(
      '--kubeconfig <path>',
      'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
    )
    .option('--concurrent <n>', 'number of reconciles of one kind at the same time', '4')
    .option('--metrics-addr <address>', 'address the metrics endpoint binds to', ':8080')
    .option('--health-addr <address>', 'address the health endpoint binds to', ':9440')
    .option('--log-level <level>', `log verbosity: ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--leader-elect [bool]', 'enable leader election for high availability', false)
    .option(
      '--enable-leader-election [bool]',
      'the same as --leader-elect (older Flux name)',
      false,
    )
    .option('--leader-election-lease-duration <duration>', 'lease duration', '35s')
    .option('--leader-election-renew-deadline <duration>', 'renew deadline', '30s')
    .option('--leader-election-retry-period <duration>', 'retry period', '5s')
    .option('--leader-election-release-on-cancel [bool]', 'release the lease on shutdown', true)
    .option(
      '--leader-election-namespace <namespace>',
      'namespace of the lease (default: runtime namespace)',
    )
    .option('--leader-election-id <name>', 'name of the lease', 'kustodian-leader-election')
    .option('--storage-path <path>', 'local path for artifacts (default: ./data)')
    .option('--storage-addr <address>', 'address the artifact server binds to', ':9090')
    .option('--storage-adv-addr <address>', 'advertised host:port of the artifact server')
    .addOption(
      new Option(
        '--no-cross-namespace-refs [bool]',
        'refuse references to sources and secrets in other namespaces',
      ),
    )
    .option('--default-service-account <name>', 'service account impersonated by default', '')
    .option('--watch-namespace <namespace>', 'watch only this namespace (default: all)')
    .option(
      '--watch-all-namespaces [bool]',
      'watch all namespaces; when false, only the runtime namespace',
      true,
    )
    .option('--watch-label-selector <selector>', 'watch only objects matching this label selector')
    .option(
      '--requeue-dependency <duration>',
      'interval to wait for dependencies to be ready',
      '30s',
    )
    .option('--log-encoding <encoding>', 'accepted for Flux compatibility; logs are JSON', 'json')
    .option('--events-addr <url>', 'accepted for Flux compatibility; events stay in the cluster')
    .option('--min-retry-delay <duration>', 'first retry delay after a failure', '750ms')
    .option('--max-retry-delay <duration>', 'longest retry delay after failures', '15m')
    .option('--interval-jitter-percentage <percent>', 'jitter applied to intervals', '5')
    .option(
      '--feature-gates <gates>',
      'Flux feature gates, e.g. ObjectLevelWorkloadIdentity=true (spec.decryption.serviceAccountName)',
    )
    .option(
      '--graceful-shutdown-timeout <duration>',
      'time in-flight reconciles get on shutdown',
      '30s',
    )
    .action(async (flags: ControllerFlags) => {
      await runController(flags, registry);
    });
}
