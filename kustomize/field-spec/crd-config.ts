import { parse } from 'yaml';
import { KustomizeError } from '../errors.ts';
import type { FieldSpec } from './field-spec.ts';
import {
  emptyTransformerConfig,
  mergeTransformerConfig,
  type TransformerConfig,
} from './transformer-config.ts';

// The annotations kustomize's `LoadConfigFromCRDs` reads on a property of an OpenAPI definition.
const xAnnotation = 'x-kubernetes-annotation';
const xLabelSelector = 'x-kubernetes-label-selector';
const xIdentity = 'x-kubernetes-identity';
const xVersion = 'x-kubernetes-object-ref-api-version';
const xKind = 'x-kubernetes-object-ref-kind';
const xNameKey = 'x-kubernetes-object-ref-name-key';

/** A definition's properties by name; anything that is not an object map counts as none. */
type Properties = Record<string, Record<string, unknown>>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `Schema` member of a definition. kustomize decodes the file with Go's encoding/json, whose
 * field names match case-insensitively, so `schema` works too; the last match wins.
 */
function schemaOf(definition: unknown): Record<string, unknown> | undefined {
  if (!isObject(definition)) return undefined;
  let schema: unknown;
  for (const [key, value] of Object.entries(definition)) {
    if (key.toLowerCase() === 'schema') schema = value;
  }
  return isObject(schema) ? schema : undefined;
}

function propertiesOf(definition: unknown): Properties {
  const properties = schemaOf(definition)?.properties;
  if (!isObject(properties)) return {};
  const result: Properties = {};
  for (const [name, property] of Object.entries(properties)) {
    if (isObject(property)) result[name] = property;
  }
  return result;
}

/** kustomize's `Extensions.GetString`: only a string value counts. */
const stringExtension = (property: Record<string, unknown>, key: string): string | undefined =>
  typeof property[key] === 'string' ? property[key] : undefined;

/** Parses a crds file: a map from type name to `{ Schema, Dependencies }`, JSON or YAML. */
function parseDefinitions(text: string, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    // As kustomize: a file starting with '{' is JSON, anything else YAML.
    parsed = text.startsWith('{') ? JSON.parse(text) : parse(text);
  } catch {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: unable to parse open API definition; expected a JSON or YAML map of type names`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObject(parsed)) {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: unable to parse open API definition; expected a map of type names to definitions`,
    );
  }
  return parsed;
}

/**
 * Walks the properties of `typeName` (and of the definitions its properties `$ref`), adding field
 * specs for `kind` at `path` as kustomize's `loadCrdIntoConfig` does.
 */
function loadDefinition(
  config: TransformerConfig,
  kind: string,
  definitions: Record<string, unknown>,
  typeName: string,
  path: readonly string[],
  where: string,
): void {
  if (!Object.hasOwn(definitions, typeName)) return;
  // A `$ref` cycle would recurse forever in kustomize (a crash); we refuse it instead.
  if (path.length > 64) {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: definition '${typeName}' is nested too deeply; check for a '$ref' cycle`,
    );
  }
  for (const [name, property] of Object.entries(propertiesOf(definitions[typeName]))) {
    const at = [...path, name];
    const spec = (fieldPath: string[]): FieldSpec => ({
      path: fieldPath.join('/'),
      gvk: { kind },
      create: false,
    });
    if (stringExtension(property, xAnnotation) !== undefined) {
      config.commonAnnotations.push(spec(at));
    }
    if (stringExtension(property, xLabelSelector) !== undefined) {
      config.commonLabels.push(spec(at));
    }
    if (stringExtension(property, xIdentity) !== undefined) config.namePrefix.push(spec(at));
    const version = stringExtension(property, xVersion);
    const refKind = stringExtension(property, xKind);
    if (version !== undefined && refKind !== undefined) {
      const nameKey = stringExtension(property, xNameKey) ?? 'name';
      config.nameReference.push({
        target: { version, kind: refKind },
        referrers: [spec([...at, nameKey])],
      });
    }
    const ref = property.$ref;
    if (typeof ref === 'string' && ref !== '') {
      loadDefinition(config, kind, definitions, ref, at, where);
    }
  }
}

/** kustomize's `looksLikeAk8sType`: a top-level type has `kind`, `apiVersion` and `metadata`. */
function looksLikeK8sType(properties: Properties): boolean {
  return ['kind', 'apiVersion', 'metadata'].every((name) => Object.hasOwn(properties, name));
}

/**
 * The field specs a `crds` file implies (kustomize's `LoadConfigFromCRDs`): for each top-level
 * type, references marked `x-kubernetes-object-ref-*` become name references, so that renaming a
 * Secret or ConfigMap also renames the custom resources that point at it. The kind is the last
 * dot-separated part of the type name; group and version stay open, as in kustomize.
 */
export function transformerConfigFromCrds(text: string, where: string): TransformerConfig {
  const definitions = parseDefinitions(text, where);
  let result = emptyTransformerConfig();
  for (const typeName of Object.keys(definitions)) {
    if (!looksLikeK8sType(propertiesOf(definitions[typeName]))) continue;
    const kind = typeName.split('.').at(-1) ?? typeName;
    const config = emptyTransformerConfig();
    loadDefinition(config, kind, definitions, typeName, [], where);
    // Merging one type at a time dedupes specs the way kustomize's `Merge` does.
    result = mergeTransformerConfig(
      result,
      mergeTransformerConfig(emptyTransformerConfig(), config),
    );
  }
  return result;
}
