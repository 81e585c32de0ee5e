import { parseAllDocuments } from 'yaml';
import type { Kustomization } from '../../../api/index.ts';
import { build, KustomizeError } from '../../../kustomize/index.ts';
import { StepError } from '../step-error.ts';
import { artifactFs } from './artifact-fs.ts';
import { isArtifactDir, joinArtifactPath } from './artifact-path.ts';
import { decryptSources } from './decrypt-sources.ts';
import type { DecryptionKeys } from './decryption-keys.ts';
import type { ArtifactTree } from './fetch-artifact.ts';
import { generateKustomization } from './generate-kustomization.ts';
import { findReachableFiles } from './reachable-files.ts';
import { SecretRedactor } from './secret-redactor.ts';

/** One built Kubernetes object, as plain JSON data. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
};

function buildFailed(message: string, cause?: unknown): StepError {
  return new StepError('BuildFailed', message, { retryable: false, cause });
}

/**
 * Builds the manifests at `spec.path` as Flux's kustomize-controller does: decrypts every
 * reachable SOPS file in memory (MAC verified), generates or amends the kustomization with the
 * spec's overlays, builds in input order with loads confined to the artifact, and sets
 * `spec.commonMetadata` on every object. Plaintext lives only in memory. When `signal`
 * aborts, its reason is thrown as is.
 */
export async function buildManifests(
  ks: Kustomization,
  tree: ArtifactTree,
  keys: DecryptionKeys | undefined,
  options: { signal: AbortSignal },
): Promise<KubeObject[]> {
  const dir = resolveSpecPath(ks.spec.path, tree.files);
  const generated = generateKustomization(tree.files, dir, ks.spec);
  const reachable = findReachableFiles(
    tree.files,
    dir,
    new Map([[generated.path, generated.content]]),
  );
  const redactor = new SecretRedactor();
  const plaintext = await decryptSources({
    files: tree.files,
    reachable,
    keys,
    decryptionEnabled: ks.spec.decryption?.provider === 'sops',
    redactor,
    signal: options.signal,
  });
  const overrides = new Map<string, string | Uint8Array>(plaintext);
  overrides.set(generated.path, generated.content);
  let yaml: string;
  try {
    const result = await build(artifactFs(tree, overrides), `/${dir}`, {
      // Flux builds in input order, with files loadable from anywhere inside the artifact.
      reorder: 'none',
      loadRestrictor: 'LoadRestrictionsNone',
      signal: options.signal,
    });
    yaml = result.yaml;
  } catch (error) {
    options.signal.throwIfAborted();
    const message = error instanceof KustomizeError ? error.message : String(error);
    throw buildFailed(`kustomize build failed: ${redactor.redact(message)}`, error);
  }
  const objects = toObjects(yaml);
  applyCommonMetadata(objects, ks.spec.commonMetadata);
  return objects;
}

/**
 * The artifact-relative directory of `spec.path`. Unlike Flux's secure join, which clamps
 * `..` at the root, a path leaving the artifact is refused: it is always a mistake.
 */
function resolveSpecPath(
  specPath: string | undefined,
  files: ReadonlyMap<string, unknown>,
): string {
  const raw = specPath ?? '';
  const dir = joinArtifactPath('', raw.startsWith('/') ? `.${raw}` : raw);
  if (dir === undefined) {
    throw buildFailed(`spec.path '${raw}' points outside the artifact; use a path inside it`);
  }
  if (!isArtifactDir(files, dir)) {
    throw new StepError(
      'ArtifactFailed',
      `kustomization path not found: '${raw}' is not a directory in the artifact`,
      { retryable: true },
    );
  }
  return dir;
}

function toObjects(yaml: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(yaml)) {
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const object = value as Partial<KubeObject>;
    const name = object.metadata?.name;
    if (
      typeof object.apiVersion !== 'string' ||
      object.apiVersion === '' ||
      typeof object.kind !== 'string' ||
      object.kind === '' ||
      typeof name !== 'string' ||
      name === ''
    ) {
      throw buildFailed(
        `failed to decode Kubernetes apiVersion, kind and name from a built object (kind '${String(object.kind ?? '')}', name '${String(name ?? '')}')`,
      );
    }
    objects.push(object as KubeObject);
  }
  return objects;
}

/** Flux's `commonMetadata`: labels and annotations set on every object, replacing equal keys. */
function applyCommonMetadata(
  objects: KubeObject[],
  common: Kustomization['spec']['commonMetadata'],
): void {
  if (common === undefined) return;
  for (const object of objects) {
    for (const field of ['labels', 'annotations'] as const) {
      const values = common[field];
      if (values === undefined || Object.keys(values).length === 0) continue;
      const current = object.metadata[field];
      object.metadata[field] = {
        ...(typeof current === 'object' && current !== null ? current : {}),
        ...values,
      };
    }
  }
}
