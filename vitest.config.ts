import { defineConfig } from 'vitest/config';
import { pathWithTestbed } from './test/testbed/paths.ts';

export default defineConfig({
  test: {
    reporters: ['default', './test/harness/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{api,sops,kustomize,controllers,cli}/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/harness/global-setup.ts'],
          // The real tools (sops, age, etcd, kube-apiserver) come first on PATH for every test.
          env: { PATH: pathWithTestbed() },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
