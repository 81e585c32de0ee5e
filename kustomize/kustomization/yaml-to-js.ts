import { type Document, isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { resolvePlainV2 } from '../emit/go-resolve.ts';
import { KustomizeError } from '../errors.ts';

/**
 * A kustomization document as plain data, typed the way kustomize reads it (go-yaml v2, so
 * `yes` is a boolean and `.` a string), the last of duplicate keys winning. Aliases are followed
 * with a bound so that an alias bomb ends in an error.
 */
export function kustomizationToJs(doc: Document, where: string): unknown {
  return kustomizationNodeToJs(doc.contents as Node | null, where, doc);
}

/** `kustomizationToJs` of one node; `doc` resolves aliases (none without it). */
export function kustomizationNodeToJs(
  contents: Node | null | undefined,
  where: string,
  doc?: Document,
): unknown {
  const budget = { left: 100_000 };
  const convert = (node: Node | null | undefined, depth: number): unknown => {
    if (--budget.left < 0 || depth > 200) {
      throw new KustomizeError(
        'LimitExceeded',
        `${where}: kustomization expands to too many nodes`,
      );
    }
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return convert(doc && (node.resolve(doc) as Node | undefined), depth + 1);
    if (isMap(node)) {
      const result: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = convert(pair.key as Node | null, depth + 1);
        result[String(key)] = convert(pair.value as Node | null, depth + 1);
      }
      return result;
    }
    if (isSeq(node)) return node.items.map((item) => convert(item as Node | null, depth + 1));
    if (isScalar(node)) {
      if (node.type !== 'PLAIN' || node.tag === 'tag:yaml.org,2002:str')
        return node.value === null ? null : String(node.source ?? node.value);
      const text = String(node.source ?? node.value ?? '');
      const resolved = resolvePlainV2(text);
      switch (resolved.tag) {
        case 'null':
          return null;
        case 'bool':
          return resolved.value;
        case 'int':
          return Number(resolved.value);
        case 'float':
          return resolved.value;
        default:
          return text;
      }
    }
    return null;
  };
  return convert(contents, 0);
}
