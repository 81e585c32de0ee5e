import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ControllerRegistry } from '../controllers/runtime/index.ts';
import {
  type ControllerFlags,
  registerControllerCommand,
  settingsFromFlags,
} from './controller-command.ts';

/** Parses `args` as `kustodian controller ...` and returns the flags, without running it. */
async function parse(args: string[]): Promise<ControllerFlags> {
  const program = new Command('kustodian').exitOverride();
  registerControllerCommand(program, new ControllerRegistry());
  const command = program.commands.find((c) => c.name() === 'controller');
  if (!command) throw new Error('controller command not registered');
  command.exitOverride();
  let captured: ControllerFlags | undefined;
  command.action((flags: ControllerFlags) => {
    captured = flags;
  });
  await program.parseAsync(['controller', ...args], { from: 'user' });
  if (!captured) throw new Error('action did not run');
  return captured;
}

describe('kustodian controller flags', () => {
  it("defaults to Flux's values", async () => {
    const flags = await parse([]);
    expect(flags).toMatchObject({
      concurrent: '4',
      metricsAddr: ':8080',
      healthAddr: ':9440',
      leaderElect: false,
      leaderElectionLeaseDuration: '35s',
      leaderElectionRenewDeadline: '30s',
      leaderElectionRetryPeriod: '5s',
    });
    const settings = settingsFromFlags(flags);
    expect(settings).toMatchObject({
      concurrent: 4,
      noCrossNamespaceRefs: false,
      minRetryDelayMs: 750,
      maxRetryDelayMs: 15 * 60_000,
      intervalJitter: 0.05,
      watchNamespace: undefined,
    });
    expect(settings.storagePath).toMatch(/\/data$/);
  });

  it.each([
    {
      name: 'bare flag forbids cross-namespace refs',
      args: ['--no-cross-namespace-refs'],
      want: true,
    },
    { name: '=true forbids them', args: ['--no-cross-namespace-refs=true'], want: true },
    { name: '=false allows them', args: ['--no-cross-namespace-refs=false'], want: false },
    { name: 'absent allows them', args: [], want: false },
  ])('$name', async ({ args, want }) => {
    expect(settingsFromFlags(await parse(args)).noCrossNamespaceRefs).toBe(want);
  });

  it.each([
    { name: '--enable-leader-election', args: ['--enable-leader-election'] },
    { name: '--watch-all-namespaces=true', args: ['--watch-all-namespaces=true'] },
    { name: '--log-encoding=json', args: ['--log-encoding=json'] },
    {
      name: '--events-addr',
      args: ['--events-addr=http://notification-controller.flux-system.svc.cluster.local./'],
    },
    { name: '--watch-label-selector', args: ['--watch-label-selector=!sharding.fluxcd.io/key'] },
  ])("accepts Flux's manifest flag $name", async ({ args }) => {
    await expect(parse(args)).resolves.toBeDefined();
  });

  it('passes the label selector and dependency requeue on to the controllers', async () => {
    const settings = settingsFromFlags(
      await parse(['--watch-label-selector=!sharding.fluxcd.io/key', '--requeue-dependency=10s']),
    );
    expect(settings.watchLabelSelector).toBe('!sharding.fluxcd.io/key');
    expect(settings.requeueDependencyMs).toBe(10_000);
  });

  it('watches only the runtime namespace when --watch-all-namespaces=false', async () => {
    const previous = process.env.RUNTIME_NAMESPACE;
    process.env.RUNTIME_NAMESPACE = 'flux-system';
    try {
      const settings = settingsFromFlags(await parse(['--watch-all-namespaces=false']));
      expect(settings.watchNamespace).toBe('flux-system');
    } finally {
      if (previous === undefined) delete process.env.RUNTIME_NAMESPACE;
      else process.env.RUNTIME_NAMESPACE = previous;
    }
  });

  it('takes the storage, service account and concurrency flags', async () => {
    const settings = settingsFromFlags(
      await parse([
        '--concurrent=10',
        '--storage-path=/var/lib/kustodian',
        '--storage-adv-addr=source-controller.flux-system.svc.cluster.local.',
        '--default-service-account=deployer',
        '--watch-namespace',
        'team-a',
        '--max-retry-delay=5m',
      ]),
    );
    expect(settings).toMatchObject({
      concurrent: 10,
      storagePath: '/var/lib/kustodian',
      storageAdvAddr: 'source-controller.flux-system.svc.cluster.local.',
      defaultServiceAccount: 'deployer',
      watchNamespace: 'team-a',
      maxRetryDelayMs: 300_000,
    });
  });

  it.each([
    { name: 'a zero concurrency', args: ['--concurrent=0'], want: /--concurrent: "0"/ },
    { name: 'a malformed duration', args: ['--min-retry-delay=soon'], want: /--min-retry-delay/ },
    {
      name: 'a jitter of 100 %',
      args: ['--interval-jitter-percentage=100'],
      want: /--interval-jitter-percentage/,
    },
    {
      name: 'a non-boolean boolean',
      args: ['--no-cross-namespace-refs=maybe'],
      want: /--no-cross-namespace-refs: "maybe"/,
    },
  ])('refuses $name, naming the flag', async ({ args, want }) => {
    const flags = await parse(args);
    expect(() => settingsFromFlags(flags)).toThrow(want);
  });
});

describe('ControllerRegistry', () => {
  const registry = new ControllerRegistry();
  const make = (name: string) => ({
    name,
    description: name,
    create: () => [],
  });
  registry.register(make('source'));
  registry.register(make('kustomize'));

  it('selects every registered controller when --controllers is absent', () => {
    expect(registry.select(undefined).map((r) => r.name)).toEqual(['source', 'kustomize']);
  });

  it('selects the named ones', () => {
    expect(registry.select(['kustomize']).map((r) => r.name)).toEqual(['kustomize']);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => registry.select(['source', 'helm'])).toThrow(
      '--controllers: unknown controller helm; known: source, kustomize',
    );
  });

  it('refuses a second registration under one name', () => {
    expect(() => registry.register(make('source'))).toThrow(/registered twice/);
  });
});
