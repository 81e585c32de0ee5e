import {
  type Kustomization,
  type KustomizationFailureReason,
  Reason,
  substituteStrategy,
} from '../../api/index.ts';
import type {
  ArtifactTree,
  BuildEngine,
  DecryptionKeys,
  KubeObject,
  SourceArtifact,
} from './build-engine.ts';
import { messageOf } from './source-step.ts';
import { isStepError, StepError } from './step-error.ts';

/** Downloads the artifact, checks its digest and unpacks it in memory. */
export async function fetchSourceArtifact(
  engine: BuildEngine,
  artifact: SourceArtifact,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<ArtifactTree> {
  return asStepError(Reason.ArtifactFailed, () =>
    engine.fetchArtifact(artifact, { signal: options.signal, timeoutMs: options.timeoutMs }),
  );
}

/** kustomize build of `spec.path` over the tree, files with SOPS metadata decrypted first. */
export async function buildObjects(
  engine: BuildEngine,
  ks: Kustomization,
  tree: ArtifactTree,
  keys: DecryptionKeys | undefined,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  return asStepError(Reason.BuildFailed, () => engine.buildManifests(ks, tree, keys, { signal }));
}

/** Decrypts what still carries SOPS data after the build; nothing to do without decryption. */
export async function decryptBuilt(
  engine: BuildEngine,
  ks: Kustomization,
  objects: KubeObject[],
  keys: DecryptionKeys | undefined,
): Promise<KubeObject[]> {
  if (ks.spec.decryption === undefined) return objects;
  return asStepError(Reason.DecryptionFailed, () => engine.decryptObjects(objects, keys));
}

/**
 * postBuild substitution as Flux runs it: only when `spec.postBuild` is set, and then only
 * with variables, or always under the `Always` strategy.
 */
export async function substitute(
  engine: BuildEngine,
  ks: Kustomization,
  objects: KubeObject[],
  variables: Readonly<Record<string, string>>,
  options: { strict: boolean },
): Promise<KubeObject[]> {
  if (ks.spec.postBuild === undefined) return objects;
  const always = substituteStrategy(ks) === 'Always';
  if (Object.keys(variables).length === 0 && !always) return objects;
  return asStepError(Reason.BuildFailed, async () =>
    engine.substituteVariables(objects, variables, { strict: options.strict }),
  );
}

/** Passes StepErrors through; anything else the engine throws becomes `reason`. */
async function asStepError<T>(
  reason: KustomizationFailureReason,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isStepError(error)) throw error;
    throw new StepError(reason, messageOf(error), { cause: error });
  }
}
