import type { TestProject } from 'vitest/node';
import { ensureTestbedBinaries, startControlPlane } from '../testbed/index.ts';

/** What the global setup hands every integration test worker. */
export interface SharedControlPlane {
  kubeconfigPath: string;
  server: string;
  binDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sharedControlPlane: SharedControlPlane;
  }
}

/**
 * Builds (or finds) the real test parts and starts one etcd + kube-apiserver for the whole
 * integration run; every test gets its own namespace on it. Stopped after the last test, also
 * when tests fail.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = await ensureTestbedBinaries({ onProgress: (line) => console.error(line) });
  const plane = await startControlPlane({ binDir });
  project.provide('sharedControlPlane', {
    kubeconfigPath: plane.kubeconfigPath,
    server: plane.server,
    binDir,
  });
  return () => plane.stop();
}
