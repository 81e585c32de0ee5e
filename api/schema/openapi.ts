import type { AnyNode } from './builder.ts';

/** A JSON value as it appears in a CRD manifest. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

type JsonObject = { [key: string]: JsonValue };

/**
 * Renders a schema node as an OpenAPI v3 structural schema, as `openAPIV3Schema` of a CRD
 * version wants it. Keys are written in sorted order so that the output is stable.
 */
export function toOpenApi(node: AnyNode): JsonObject {
  const out: JsonObject = {};
  if (node.description !== undefined) out.description = node.description;
  switch (node.kind) {
    case 'string':
      out.type = 'string';
      if (node.enum !== undefined) out.enum = [...node.enum];
      if (node.pattern !== undefined) out.pattern = node.pattern;
      if (node.minLength !== undefined) out.minLength = node.minLength;
      if (node.maxLength !== undefined) out.maxLength = node.maxLength;
      if (node.format !== undefined) out.format = node.format;
      if (node.default !== undefined) out.default = node.default;
      break;
    case 'boolean':
      out.type = 'boolean';
      if (node.default !== undefined) out.default = node.default;
      break;
    case 'integer':
      out.type = 'integer';
      if (node.format !== undefined) out.format = node.format;
      if (node.minimum !== undefined) out.minimum = node.minimum;
      if (node.default !== undefined) out.default = node.default;
      break;
    case 'object': {
      out.type = 'object';
      const properties: JsonObject = {};
      for (const [key, child] of Object.entries(node.properties).sort(([a], [b]) =>
        a < b ? -1 : 1,
      )) {
        properties[key] = toOpenApi(child);
      }
      if (Object.keys(properties).length > 0) out.properties = properties;
      if (node.required.length > 0) out.required = [...node.required].sort();
      if (node.validations.length > 0) {
        out['x-kubernetes-validations'] = node.validations.map((v) => ({
          message: v.message,
          rule: v.rule,
        }));
      }
      if (node.default !== undefined) out.default = node.default as JsonValue;
      break;
    }
    case 'array':
      out.type = 'array';
      out.items = toOpenApi(node.items);
      break;
    case 'map':
      out.type = 'object';
      out.additionalProperties = toOpenApi(node.values);
      break;
    case 'opaque':
      out.type = 'object';
      break;
  }
  return sortKeys(out);
}

function sortKeys(value: JsonObject): JsonObject {
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    const child = value[key];
    if (child !== undefined) sorted[key] = child;
  }
  return sorted;
}
