import { isMap, parseAllDocuments, parseDocument, stringify } from 'yaml';
import type { Kustomization } from '../../../api/index.ts';
import { StepError } from '../step-error.ts';
import {
  findKustomizationFile,
  isArtifactDir,
  isRemoteRef,
  joinArtifactPath,
} from './artifact-path.ts';

type Spec = Kustomization['spec'];
type KustomizationFile = Record<string, unknown>;

/** The kustomization file the build reads in `dir`, rewritten with the spec's overlays. */
export interface GeneratedKustomization {
  path: string;
  content: string;
  /** Whether the directory had no kustomization file and one was made from its manifests. */
  created: boolean;
}

function buildFailed(message: string): StepError {
  return new StepError('BuildFailed', message, { retryable: false });
}

/**
 * Prepares the kustomization in `dir` as Flux's generator does: the user's file (or one listing
 * the directory's manifests when there is none), with `targetNamespace`, `namePrefix`,
 * `nameSuffix`, `patches`, `components`, `images` and `buildMetadata` from the spec merged in.
 * Flux edits the user's kustomization in place rather than wrapping it, so `namePrefix` and
 * `targetNamespace` replace the file's own values; we match that.
 */
export function generateKustomization(
  files: ReadonlyMap<string, Uint8Array>,
  dir: string,
  spec: Spec,
): GeneratedKustomization {
  const existing = findKustomizationFile(files, dir);
  const path = existing ?? (dir === '' ? 'kustomization.yaml' : `${dir}/kustomization.yaml`);
  const kus =
    existing === undefined ? scanManifests(files, dir) : readKustomization(files, existing);
  // Flux also sets `buildMetadata: [originAnnotations]` on a kustomization without resources,
  // a guard against kustomize's "kustomization.yaml is empty" error that annotates the objects
  // with their origin. Our engine accepts such a kustomization as is and does not implement
  // buildMetadata yet, so the guard is left out rather than failing every generator-only build.
  if (spec.targetNamespace !== undefined) kus.namespace = spec.targetNamespace;
  if (spec.namePrefix !== undefined) kus.namePrefix = spec.namePrefix;
  if (spec.nameSuffix !== undefined) kus.nameSuffix = spec.nameSuffix;
  if (spec.patches && spec.patches.length > 0) {
    kus.patches = [
      ...(Array.isArray(kus.patches) ? kus.patches : []),
      ...spec.patches.map((p) => ({
        patch: p.patch,
        ...(p.target ? { target: { ...p.target } } : {}),
      })),
    ];
  }
  addComponents(files, dir, kus, spec);
  if (spec.images && spec.images.length > 0) kus.images = mergeImages(kus.images, spec.images);
  if (spec.buildMetadata && spec.buildMetadata.length > 0)
    kus.buildMetadata = [...spec.buildMetadata];
  return { path, content: stringify(kus, { lineWidth: 0 }), created: existing === undefined };
}

function readKustomization(
  files: ReadonlyMap<string, Uint8Array>,
  path: string,
): KustomizationFile {
  const text = Buffer.from(files.get(path) ?? new Uint8Array()).toString('utf8');
  // kustomize reads YAML merge keys (`<<:`) as YAML 1.1 does.
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0) {
    throw buildFailed(`${path}: invalid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw buildFailed(`${path}: a kustomization must be a YAML mapping`);
  return doc.toJS() as KustomizationFile;
}

/**
 * Flux's manifest scan: every `.yaml`/`.yml` file below `dir` in lexical walk order, except
 * that a subdirectory holding a kustomization is listed itself and not descended into.
 */
function scanManifests(files: ReadonlyMap<string, Uint8Array>, dir: string): KustomizationFile {
  const resources: string[] = [];
  const walk = (current: string) => {
    for (const child of childNames(files, current)) {
      const path = current === '' ? child : `${current}/${child}`;
      const relative = `./${dir === '' ? path : path.slice(dir.length + 1)}`;
      if (isArtifactDir(files, path) && !files.has(path)) {
        if (findKustomizationFile(files, path) !== undefined) resources.push(relative);
        else walk(path);
        continue;
      }
      if (!/\.ya?ml$/.test(child)) continue;
      checkManifests(path, files.get(path));
      resources.push(relative);
    }
  };
  walk(dir);
  const kus: KustomizationFile = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
  };
  // Flux's placeholder that keeps kustomize from refusing an empty kustomization.
  if (resources.length === 0) kus.namespace = '_placeholder';
  else kus.resources = resources;
  return kus;
}

/** The names directly inside `dir`, sorted as Go's `filepath.Walk` visits them. */
function childNames(files: ReadonlyMap<string, Uint8Array>, dir: string): string[] {
  const prefix = dir === '' ? '' : `${dir}/`;
  const names = new Set<string>();
  for (const name of files.keys()) {
    if (!name.startsWith(prefix)) continue;
    names.add(name.slice(prefix.length).split('/')[0] ?? '');
  }
  names.delete('');
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function checkManifests(path: string, bytes: Uint8Array | undefined): void {
  const docs = parseAllDocuments(Buffer.from(bytes ?? new Uint8Array()).toString('utf8'));
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error !== undefined) {
      throw buildFailed(
        `failed to decode Kubernetes YAML from ${path}: ${error.message.split('\n')[0] ?? ''}`,
      );
    }
  }
}

function addComponents(
  files: ReadonlyMap<string, Uint8Array>,
  dir: string,
  kus: KustomizationFile,
  spec: Spec,
): void {
  if (!spec.components || spec.components.length === 0) return;
  const components = Array.isArray(kus.components) ? [...kus.components] : [];
  for (const component of spec.components) {
    const target = joinArtifactPath(dir, component);
    if (component.startsWith('/') || isRemoteRef(component) || target === undefined) {
      throw buildFailed(`component path '${component}' must be local and relative`);
    }
    const exists = files.has(target) || isArtifactDir(files, target);
    if (!exists && spec.ignoreMissingComponents === true) continue;
    components.push(component);
  }
  kus.components = components;
}

type Image = NonNullable<Spec['images']>[number];

/** Flux merges an image override into an entry of the same name field by field. */
function mergeImages(current: unknown, overrides: readonly Image[]): Record<string, unknown>[] {
  const images = (Array.isArray(current) ? current : []).map((i) =>
    typeof i === 'object' && i !== null ? { ...(i as Record<string, unknown>) } : {},
  );
  for (const image of overrides) {
    const existing = images.find((i) => i.name === image.name);
    if (existing === undefined) {
      images.push(
        Object.fromEntries(
          Object.entries({
            name: image.name,
            newName: image.newName,
            newTag: image.newTag,
            digest: image.digest,
          }).filter(([, v]) => v !== undefined && v !== ''),
        ),
      );
      continue;
    }
    if (image.newName) existing.newName = image.newName;
    // A tag and a digest select the version together: setting one clears the other.
    if (image.newTag || image.digest) {
      setOrDelete(existing, 'newTag', image.newTag);
      setOrDelete(existing, 'digest', image.digest);
    }
  }
  return images;
}

function setOrDelete(target: Record<string, unknown>, key: string, value: string | undefined) {
  if (value) target[key] = value;
  else delete target[key];
}
