import type { AnyNode } from './builder.ts';

/**
 * Fills in the schema's defaults the way the apiserver's structural defaulting does: a missing
 * property that has a default gets a copy of it, but only inside objects that are present;
 * an absent optional object is not created just to hold its children's defaults.
 * Returns a new value; the input is not changed.
 */
export function applyNodeDefaults(node: AnyNode, value: unknown): unknown {
  switch (node.kind) {
    case 'object': {
      if (!isPlainObject(value)) return value;
      const out: Record<string, unknown> = { ...value };
      for (const [key, child] of Object.entries(node.properties)) {
        // The apiserver drops null values of known fields before defaulting.
        if (out[key] === null) delete out[key];
        const fallback = 'default' in child ? child.default : undefined;
        if (out[key] === undefined && fallback !== undefined) out[key] = structuredClone(fallback);
        if (out[key] !== undefined) out[key] = applyNodeDefaults(child, out[key]);
      }
      return out;
    }
    case 'array':
      return Array.isArray(value)
        ? value.map((item) => applyNodeDefaults(node.items, item))
        : value;
    case 'map': {
      if (!isPlainObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        out[key] = applyNodeDefaults(node.values, child);
      }
      return out;
    }
    default:
      return value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
