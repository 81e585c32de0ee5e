import { KustomizeError } from '../errors.ts';
import { isPathWithin } from './kustomize-fs.ts';

/** kustomize's `--load-restrictor` values. */
export type LoadRestrictor = 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone';

export const loadRestrictors: readonly LoadRestrictor[] = [
  'LoadRestrictionsRootOnly',
  'LoadRestrictionsNone',
];

/**
 * Refuses a file outside the kustomization's own directory under `LoadRestrictionsRootOnly`, as
 * kustomize does. Directories holding another kustomization are not files and may live anywhere
 * inside the filesystem root; the filesystem itself refuses anything beyond that root.
 */
export function checkFileLoad(
  restrictor: LoadRestrictor,
  kustomizationRoot: string,
  realFile: string,
): void {
  if (restrictor === 'LoadRestrictionsNone') return;
  if (!isPathWithin(realFile, kustomizationRoot)) {
    throw new KustomizeError(
      'SecurityViolation',
      `security; file '${realFile}' is not in or below '${kustomizationRoot}'`,
    );
  }
}
