import { parseDocument } from 'yaml';
import { KustomizeError } from '../errors.ts';
import type { FieldSpec } from '../field-spec/field-spec.ts';
import type { GeneratorArgs, GeneratorOptions } from '../generate/generator.ts';
import { readBlockYaml } from '../resource/block-yaml-reader.ts';
import type { GeneratorBehavior } from '../resource/resource.ts';
import { describeYamlError } from '../resource/yaml-error.ts';
import type { ImageOverride } from '../transform/images.ts';
import type { LabelSet } from '../transform/labels.ts';
import type { ReplicaOverride } from '../transform/replicas.ts';
import { FieldReader } from './decode-fields.ts';
import { kustomizationNodeToJs, kustomizationToJs } from './yaml-to-js.ts';

/** A kustomization file, decoded and with its legacy fields folded in (`FixKustomization`). */
export interface Kustomization {
  kind: 'Kustomization' | 'Component';
  resources: string[];
  components: string[];
  crds: string[];
  configurations: string[];
  namespace: string;
  namePrefix: string;
  nameSuffix: string;
  commonLabels: Map<string, string>;
  labels: LabelSet[];
  commonAnnotations: Map<string, string>;
  images: ImageOverride[];
  replicas: ReplicaOverride[];
  configMapGenerator: GeneratorArgs[];
  secretGenerator: GeneratorArgs[];
  /** The raw entries of fields the patches code interprets. */
  patches: unknown[];
  patchesStrategicMerge: unknown[];
  patchesJson6902: unknown[];
  replacements: unknown[];
  vars: unknown[];
  sortOptions: unknown;
  /** `buildMetadata` options (only the built kustomization's count). */
  buildMetadata: string[];
  /** `openapi`: `path` names a custom OpenAPI schema for strategic merge (top level only). */
  openapi: Map<string, string>;
  /** Fields we recognize but refuse to run (plugins, Helm, remote). */
  unsupported: string[];
}

const knownFields = [
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'imageTags',
  'replacements',
  'replicas',
  'vars',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generatorOptions',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'buildMetadata',
] as const;

const unsupportedFields = [
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generators',
  'transformers',
  'validators',
] as const;

/**
 * The kustomization document as data: through the fast block reader when the file is one
 * document in its subset, else the `yaml` package (which also refuses a second document).
 */
function readKustomizationYaml(text: string, where: string): unknown {
  const fast = documentMarker.test(text) ? undefined : readBlockYaml(text);
  if (fast !== undefined && fast.length <= 1) return kustomizationNodeToJs(fast[0], where);
  // kustomize reads this file with go-yaml v2; duplicate keys: the last wins.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  const error = doc.errors[0];
  if (error)
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: invalid YAML: ${describeYamlError(error, text)}`,
    );
  return kustomizationToJs(doc, where);
}

const documentMarker = /^(?:---|\.\.\.)/m;

/** Parses and checks a kustomization file; `where` names it in errors. */
export function parseKustomization(text: string, where: string): Kustomization {
  const raw = readKustomizationYaml(text, where);
  const reader = new FieldReader(raw ?? {}, knownFields, where);
  const kind = reader.string('kind') || 'Kustomization';
  if (kind !== 'Kustomization' && kind !== 'Component') {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: kind should be Kustomization or Component`,
    );
  }
  const apiVersion = reader.string('apiVersion');
  const wantVersion =
    kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (apiVersion !== '' && apiVersion !== wantVersion) {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: apiVersion for ${kind} should be ${wantVersion}`,
    );
  }
  const globalOptions = reader.has('generatorOptions')
    ? decodeOptions(reader.raw('generatorOptions'), `${where}: generatorOptions`)
    : undefined;
  const kustomization: Kustomization = {
    kind,
    resources: [...reader.strings('resources'), ...reader.strings('bases')],
    components: reader.strings('components'),
    crds: reader.strings('crds'),
    configurations: reader.strings('configurations'),
    namespace: reader.string('namespace'),
    namePrefix: reader.string('namePrefix'),
    nameSuffix: reader.string('nameSuffix'),
    commonLabels: reader.stringMap('commonLabels'),
    labels: reader.list('labels').map((entry, i) => decodeLabel(entry, `${where}: labels[${i}]`)),
    commonAnnotations: reader.stringMap('commonAnnotations'),
    images: [...reader.list('images'), ...reader.list('imageTags')].map((entry, i) =>
      decodeImage(entry, `${where}: images[${i}]`),
    ),
    replicas: reader
      .list('replicas')
      .map((entry, i) => decodeReplica(entry, `${where}: replicas[${i}]`)),
    configMapGenerator: reader
      .list('configMapGenerator')
      .map((entry, i) =>
        decodeGenerator(entry, 'ConfigMap', globalOptions, `${where}: configMapGenerator[${i}]`),
      ),
    secretGenerator: reader
      .list('secretGenerator')
      .map((entry, i) =>
        decodeGenerator(entry, 'Secret', globalOptions, `${where}: secretGenerator[${i}]`),
      ),
    patches: reader.list('patches'),
    patchesStrategicMerge: reader.list('patchesStrategicMerge'),
    patchesJson6902: reader.list('patchesJson6902'),
    replacements: reader.list('replacements'),
    vars: reader.list('vars'),
    sortOptions: reader.raw('sortOptions'),
    openapi: reader.stringMap('openapi'),
    buildMetadata: reader.strings('buildMetadata'),
    unsupported: unsupportedFields.filter((f) => {
      const value = reader.raw(f);
      if (value === undefined || value === null) return false;
      if (Array.isArray(value)) return value.length > 0;
      if (typeof value === 'object') return Object.keys(value).length > 0;
      return true;
    }),
  };
  if (isEmpty(kustomization, reader)) {
    throw new KustomizeError('InvalidKustomization', `${where}: kustomization.yaml is empty`);
  }
  return kustomization;
}

function isEmpty(k: Kustomization, reader: FieldReader): boolean {
  return (
    knownFields.every(
      (field) => field === 'apiVersion' || field === 'kind' || !reader.has(field),
    ) && k.resources.length === 0
  );
}

function decodeOptions(raw: unknown, where: string): GeneratorOptions {
  const reader = new FieldReader(
    raw,
    ['labels', 'annotations', 'disableNameSuffixHash', 'immutable'],
    where,
  );
  const options: GeneratorOptions = {};
  if (reader.has('labels')) options.labels = reader.stringMap('labels');
  if (reader.has('annotations')) options.annotations = reader.stringMap('annotations');
  if (reader.boolean('disableNameSuffixHash')) options.disableNameSuffixHash = true;
  if (reader.boolean('immutable')) options.immutable = true;
  return options;
}

function decodeGenerator(
  raw: unknown,
  kind: 'ConfigMap' | 'Secret',
  globalOptions: GeneratorOptions | undefined,
  where: string,
): GeneratorArgs {
  const fields = ['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options'];
  const reader = new FieldReader(raw, kind === 'Secret' ? [...fields, 'type'] : fields, where);
  const behavior = reader.string('behavior') || 'create';
  if (behavior !== 'create' && behavior !== 'merge' && behavior !== 'replace') {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: behavior must be create, merge or replace`,
    );
  }
  const env = reader.string('env');
  const local = reader.has('options')
    ? decodeOptions(reader.raw('options'), `${where}.options`)
    : undefined;
  return {
    kind,
    name: reader.string('name'),
    namespace: reader.string('namespace'),
    behavior: behavior as GeneratorBehavior,
    literals: reader.strings('literals'),
    files: reader.strings('files'),
    envs: env === '' ? reader.strings('envs') : [...reader.strings('envs'), env],
    options: mergeOptionsFor(local, globalOptions),
    type: kind === 'Secret' ? reader.string('type') : '',
  };
}

function mergeOptionsFor(
  local: GeneratorOptions | undefined,
  global: GeneratorOptions | undefined,
): GeneratorOptions | undefined {
  if (global === undefined) return local;
  const merged: GeneratorOptions = { ...(local ?? {}) };
  const fill = (mine: Map<string, string> | undefined, theirs: Map<string, string> | undefined) => {
    if (mine === undefined) return theirs ? new Map(theirs) : undefined;
    const result = new Map(mine);
    for (const [k, v] of theirs ?? []) if (!result.has(k)) result.set(k, v);
    return result;
  };
  const labels = fill(local?.labels, global.labels);
  const annotations = fill(local?.annotations, global.annotations);
  if (labels) merged.labels = labels;
  if (annotations) merged.annotations = annotations;
  if (global.disableNameSuffixHash) merged.disableNameSuffixHash = true;
  if (global.immutable) merged.immutable = true;
  return merged;
}

function decodeLabel(raw: unknown, where: string): LabelSet {
  const reader = new FieldReader(
    raw,
    ['pairs', 'includeSelectors', 'includeTemplates', 'fields'],
    where,
  );
  return {
    pairs: reader.stringMap('pairs'),
    includeSelectors: reader.boolean('includeSelectors'),
    includeTemplates: reader.boolean('includeTemplates'),
    fields: reader.list('fields').map((f, i) => decodeFieldSpec(f, `${where}.fields[${i}]`)),
  };
}

export function decodeFieldSpec(raw: unknown, where: string): FieldSpec {
  const reader = new FieldReader(raw, ['path', 'group', 'version', 'kind', 'create'], where);
  return {
    path: reader.string('path'),
    gvk: {
      group: reader.string('group'),
      version: reader.string('version'),
      kind: reader.string('kind'),
    },
    create: reader.boolean('create'),
  };
}

function decodeImage(raw: unknown, where: string): ImageOverride {
  const reader = new FieldReader(raw, ['name', 'newName', 'newTag', 'digest', 'tagSuffix'], where);
  return {
    name: reader.string('name'),
    newName: reader.string('newName'),
    newTag: reader.string('newTag'),
    digest: reader.string('digest'),
    tagSuffix: reader.string('tagSuffix'),
  };
}

function decodeReplica(raw: unknown, where: string): ReplicaOverride {
  const reader = new FieldReader(raw, ['name', 'count'], where);
  return { name: reader.string('name'), count: reader.integer('count') };
}
