import { parseDocument } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { FieldReader } from '../kustomization/decode-fields.ts';
import { kustomizationToJs } from '../kustomization/yaml-to-js.ts';
import { type Gvk, isGvkSelected, parseGvkFilter } from '../resource/resource-id.ts';
import {
  commonAnnotationsFieldSpecs,
  commonLabelsFieldSpecs,
  imagesFieldSpecs,
  metadataLabelsFieldSpecs,
  namePrefixFieldSpecs,
  nameReferenceFieldSpecs,
  nameSuffixFieldSpecs,
  namespaceFieldSpecs,
  replicasFieldSpecs,
} from './builtin-field-specs.ts';
import { type FieldSpec, fieldSpecsFromRows } from './field-spec.ts';

/** Fields naming resources of kind `target` (kustomize's `NameBackReferences`). */
export interface NameBackReference {
  target: Partial<Gvk>;
  referrers: FieldSpec[];
}

/**
 * The field specs the built-in transformers use (kustomize's `TransformerConfig`): the built-in
 * tables plus any `configurations` files, merged up from bases into the kustomizations above.
 */
export interface TransformerConfig {
  namePrefix: FieldSpec[];
  nameSuffix: FieldSpec[];
  namespace: FieldSpec[];
  commonLabels: FieldSpec[];
  labels: FieldSpec[];
  templateLabels: FieldSpec[];
  commonAnnotations: FieldSpec[];
  nameReference: NameBackReference[];
  varReference: FieldSpec[];
  images: FieldSpec[];
  replicas: FieldSpec[];
}

const specLists = [
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'templateLabels',
  'commonAnnotations',
  'varReference',
  'images',
  'replicas',
] as const;

export function emptyTransformerConfig(): TransformerConfig {
  return {
    namePrefix: [],
    nameSuffix: [],
    namespace: [],
    commonLabels: [],
    labels: [],
    templateLabels: [],
    commonAnnotations: [],
    nameReference: [],
    varReference: [],
    images: [],
    replicas: [],
  };
}

/**
 * The built-in tables of kustomize v5.5.0. `varReference` starts empty here: its built-in rows
 * live with the vars code, which is loaded only for a build that has vars.
 */
export function defaultTransformerConfig(): TransformerConfig {
  const config = emptyTransformerConfig();
  for (const key of specLists) config[key] = copyList(builtinConfig[key]);
  config.nameReference = builtinConfig.nameReference.map((r) => ({
    target: r.target,
    referrers: copyList(r.referrers),
  }));
  return config;
}

/**
 * Field-spec lists in which no spec is the duplicate (`mergeFieldSpecs`'s test) of an earlier
 * one, as every list `mergeFieldSpecs` returns from such a base is. Merging a spec of such a
 * base back into it finds the spec itself, so the scan can be skipped: each kustomization
 * level merges the full built-in tables again, which would otherwise cost a quadratic scan.
 */
const normalizedLists = new WeakSet<readonly FieldSpec[]>();

const isNormalized = (list: readonly FieldSpec[]): boolean =>
  list.length === 0 || normalizedLists.has(list);

function copyList(list: readonly FieldSpec[]): FieldSpec[] {
  const copy = list.slice();
  if (isNormalized(list)) normalizedLists.add(copy);
  return copy;
}

function builtinTables(): TransformerConfig {
  return {
    ...emptyTransformerConfig(),
    namePrefix: fieldSpecsFromRows(namePrefixFieldSpecs),
    nameSuffix: fieldSpecsFromRows(nameSuffixFieldSpecs),
    namespace: fieldSpecsFromRows(namespaceFieldSpecs),
    commonLabels: fieldSpecsFromRows(commonLabelsFieldSpecs),
    templateLabels: fieldSpecsFromRows(metadataLabelsFieldSpecs),
    commonAnnotations: fieldSpecsFromRows(commonAnnotationsFieldSpecs),
    nameReference: nameReferenceFieldSpecs.map((row) => ({
      target: parseGvkFilter(row.target),
      referrers: fieldSpecsFromRows(row.referrers),
    })),
    images: fieldSpecsFromRows(imagesFieldSpecs),
    replicas: fieldSpecsFromRows(replicasFieldSpecs),
  };
}

const asGvk = (partial: Partial<Gvk>): Gvk => ({ group: '', version: '', kind: '', ...partial });

/**
 * kustomize's `FsSlice.MergeAll`: a spec whose path is present for a gvk the existing one is
 * selected by is skipped; the same spec with a different `create` is an error.
 */
export function mergeFieldSpecs(
  base: readonly FieldSpec[],
  extra: readonly FieldSpec[],
): FieldSpec[] {
  const result = [...base];
  const normalized = isNormalized(base);
  const inBase = normalized && extra.length > 0 ? new Set(base) : undefined;
  for (const spec of extra) {
    if (inBase?.has(spec)) continue;
    const same = result.find((s) => s.path === spec.path && isGvkSelected(asGvk(s.gvk), spec.gvk));
    if (same === undefined) result.push(spec);
    else if (same.create !== spec.create) {
      throw new KustomizeError(
        'InvalidKustomization',
        `conflicting fieldspecs for path '${spec.path}'`,
      );
    }
  }
  if (normalized) normalizedLists.add(result);
  return result;
}

function sameGvk(a: Partial<Gvk>, b: Partial<Gvk>): boolean {
  return (
    (a.group ?? '') === (b.group ?? '') &&
    (a.version ?? '') === (b.version ?? '') &&
    (a.kind ?? '') === (b.kind ?? '')
  );
}

/** kustomize's `TransformerConfig.Merge`. */
export function mergeTransformerConfig(
  base: TransformerConfig,
  extra: TransformerConfig,
): TransformerConfig {
  const merged = emptyTransformerConfig();
  for (const key of specLists) merged[key] = mergeFieldSpecs(base[key], extra[key]);
  merged.nameReference = base.nameReference.map((r) => ({
    target: r.target,
    referrers: copyList(r.referrers),
  }));
  for (const reference of extra.nameReference) {
    const existing = merged.nameReference.find((r) => sameGvk(r.target, reference.target));
    if (existing) existing.referrers = mergeFieldSpecs(existing.referrers, reference.referrers);
    else
      merged.nameReference.push({
        target: reference.target,
        referrers: copyList(reference.referrers),
      });
  }
  return merged;
}

function decodeSpec(raw: unknown, where: string): FieldSpec {
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

/** A `configurations` file: field specs by transformer, as kustomize's `TransformerConfig` YAML. */
export function parseTransformerConfig(text: string, where: string): TransformerConfig {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  if (doc.errors[0]) throw new KustomizeError('InvalidKustomization', `${where}: invalid YAML`);
  const raw = kustomizationToJs(doc, where) ?? {};
  // kustomize decodes this file strictly: an unknown key is an error.
  const reader = new FieldReader(raw, [...specLists, 'nameReference'], where);
  const config = emptyTransformerConfig();
  for (const key of specLists)
    config[key] = reader.list(key).map((s, i) => decodeSpec(s, `${where}: ${key}[${i}]`));
  config.nameReference = reader.list('nameReference').map((entry, i) => {
    const at = `${where}: nameReference[${i}]`;
    const r = new FieldReader(entry, ['group', 'version', 'kind', 'fieldSpecs'], at);
    return {
      target: { group: r.string('group'), version: r.string('version'), kind: r.string('kind') },
      referrers: r.list('fieldSpecs').map((s, j) => decodeSpec(s, `${at}.fieldSpecs[${j}]`)),
    };
  });
  return config;
}

/** The built-in tables, parsed once, at module load (so into the startup snapshot). */
const builtinConfig = builtinTables();

// Marks the built-in lists without duplicates (all but one) as normalized: merging such a
// list into an empty one drops nothing.
for (const list of [
  ...specLists.map((key) => builtinConfig[key]),
  ...builtinConfig.nameReference.map((r) => r.referrers),
]) {
  if (mergeFieldSpecs([], list).length === list.length) normalizedLists.add(list);
}
