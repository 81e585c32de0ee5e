import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
} from '@kubernetes/client-node';
import type { Command } from 'commander';
import { ensureTestbedBinaries, startControlPlane } from '../test/testbed/index.ts';

interface DemoOptions {
  keep: boolean;
}

function progress(message: string): void {
  process.stderr.write(`» ${message}\n`);
}

/**
 * The README's main job. For now it proves the local control plane: build (first time) and
 * start etcd + kube-apiserver, apply a Namespace with server-side apply, print what landed.
 */
async function runDemo(options: DemoOptions): Promise<void> {
  progress(
    'preparing the local control plane (the first run builds it from source: about 6 minutes on 2 cores)',
  );
  const binDir = await ensureTestbedBinaries({
    onProgress: (line) => progress(line.replace(/^\[testbed\] /, '')),
  });
  const plane = await startControlPlane({ binDir, onProgress: progress });
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.kubeconfigPath);
    const version = await kubeConfig.makeApiClient(VersionApi).getCode();
    progress(`kube-apiserver ${version.gitVersion} is ready at ${plane.server}`);

    const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    progress('applying namespace kustodian-demo (server-side apply)');
    await objects.patch(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'kustodian-demo',
          labels: { 'app.kubernetes.io/managed-by': 'kustodian' },
        },
      },
      undefined,
      undefined,
      'kustodian',
      true,
      PatchStrategy.ServerSideApply,
    );
    const namespace = await kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespace({ name: 'kustodian-demo' });
    const managers = (namespace.metadata?.managedFields ?? []).map((f) => f.manager).join(', ');
    process.stdout.write(
      [
        `namespace/${namespace.metadata?.name}`,
        `  phase:          ${namespace.status?.phase}`,
        `  labels:         ${JSON.stringify(namespace.metadata?.labels ?? {})}`,
        `  field managers: ${managers}`,
        `  created:        ${namespace.metadata?.creationTimestamp?.toISOString()}`,
        '',
      ].join('\n'),
    );
    if (options.keep) {
      process.stdout.write(
        `control plane running; KUBECONFIG=${plane.kubeconfigPath}; Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    progress('stopping the control plane');
    await plane.stop();
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start a local control plane, apply a namespace and print what landed')
    .option('--keep', 'keep the control plane running until Ctrl-C', false)
    .action(async (options: DemoOptions) => {
      await runDemo(options);
    });
}
