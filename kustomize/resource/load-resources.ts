import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type YAMLMap,
} from 'yaml';
import { KustomizeError } from '../errors.ts';
import { readBlockYaml } from './block-yaml-reader.ts';
import { createResource, getKind, type Resource, validateMetadata } from './resource.ts';
import { describeYamlError } from './yaml-error.ts';
import { getField } from './yaml-node.ts';

/** Upper bounds that keep a hostile repository from exhausting memory or time. */
export interface LoadLimits {
  /** Largest file read, in bytes. */
  maxFileBytes: number;
  /** Most YAML nodes alias expansion may add to one file (alias bombs). */
  maxAliasNodes: number;
}

export const defaultLoadLimits: LoadLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxAliasNodes: 100_000,
};

/** The options every resource parse uses; the patches code parses its inputs the same way. */
export const resourceParseOptions = { uniqueKeys: false, prettyErrors: false } as const;

/**
 * Parses a multi-document file into resources as kustomize does: empty documents dropped,
 * aliases expanded (kyaml's "anchors aweigh"), `*List` kinds with `items` inlined after the
 * other documents, and every resource checked for kind and name.
 */
export function parseResources(
  text: string,
  source: string,
  limits: LoadLimits = defaultLoadLimits,
): Resource[] {
  const queue: YAMLMap[] = readBlockYaml(text) ?? readYamlResources(text, source, limits);
  const result: Resource[] = [];
  for (let next = 0; next < queue.length; next++) {
    const node = queue[next] as YAMLMap;
    const resource = createResource(node, source);
    const kind = getKind(resource);
    const items = kind.endsWith('List') ? getField(node, 'items') : undefined;
    const hasItemsKey =
      kind.endsWith('List') && node.items.some((p) => isScalar(p.key) && p.key.value === 'items');
    if (hasItemsKey) {
      if (items === undefined || (isScalar(items) && items.value === null)) continue;
      if (!isSeq(items)) {
        throw new KustomizeError('InvalidResource', `${source}: expected array in ${kind}/items`);
      }
      for (const item of items.items) {
        if (!isMap(item))
          throw new KustomizeError(
            'InvalidResource',
            `${source}: ${kind}/items holds a non-object`,
          );
        queue.push(item);
      }
      continue;
    }
    validateMetadata(resource);
    result.push(resource);
  }
  return result;
}

/**
 * The non-empty documents of a resource file through the `yaml` package, aliases expanded: what
 * `readBlockYaml` must match where it answers. Empty maps are dropped, non-maps refused.
 */
export function readYamlResources(text: string, source: string, limits: LoadLimits): YAMLMap[] {
  const docs = parseDocuments(text, source);
  const budget: ExpandState = { left: limits.maxAliasNodes, source, anchors: new Map() };
  const result: YAMLMap[] = [];
  for (const doc of docs) {
    const contents = doc.contents;
    if (
      contents === null ||
      (isScalar(contents) && (contents.value === null || contents.value === ''))
    )
      continue;
    budget.anchors.clear();
    const expanded = expandAliases(contents as Node, budget, 0);
    if (isMap(expanded) && expanded.items.length === 0) continue;
    if (!isMap(expanded)) {
      throw new KustomizeError('InvalidResource', `${source}: a document is not a YAML mapping`);
    }
    result.push(expanded);
  }
  return result;
}

export function parseDocuments(text: string, source: string): Document.Parsed[] {
  const docs = parseAllDocuments(text, resourceParseOptions);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      throw new KustomizeError(
        'InvalidResource',
        `${source}: invalid YAML: ${describeYamlError(error, text)}`,
      );
    }
  }
  return list as Document.Parsed[];
}

interface ExpandState {
  left: number;
  source: string;
  /** Anchors seen so far in document order; a later anchor of the same name wins, as in YAML. */
  anchors: Map<string, Node>;
}

/**
 * Replaces every alias, in place, by a copy of its anchor's node, counting nodes against the
 * budget. Anchors are collected while walking in document order, so a lookup is O(1) (eemeli's
 * `Alias.resolve` searches the whole document, quadratic on an alias bomb).
 */
function expandAliases(node: Node, state: ExpandState, depth: number): Node {
  if (depth > 1000) {
    throw new KustomizeError('LimitExceeded', `${state.source}: YAML nesting is too deep`);
  }
  if (isAlias(node)) {
    const target = state.anchors.get(node.source);
    if (target === undefined) {
      throw new KustomizeError('InvalidResource', `${state.source}: unknown alias *${node.source}`);
    }
    countNodes(target, state);
    return target.clone() as Node;
  }
  if (isMap(node)) {
    node.flow = false;
    for (const pair of node.items) {
      if (isAlias(pair.key)) pair.key = expandAliases(pair.key, state, depth + 1);
      if (pair.value !== null && pair.value !== undefined) {
        pair.value = expandAliases(pair.value as Node, state, depth + 1);
      }
    }
  } else if (isSeq(node)) {
    node.flow = false;
    node.items = node.items.map((item) =>
      item === null ? item : expandAliases(item as Node, state, depth + 1),
    );
  }
  if (node.anchor !== undefined) state.anchors.set(node.anchor, node);
  return node;
}

/** Charges the nodes an alias copies to the budget, before copying them. */
function countNodes(node: unknown, state: ExpandState): void {
  if (--state.left < 0) {
    throw new KustomizeError(
      'LimitExceeded',
      `${state.source}: YAML expands to too many nodes (alias bomb?)`,
    );
  }
  if (isMap(node)) {
    for (const pair of node.items) countNodes(pair.value, state);
  } else if (isSeq(node)) {
    for (const item of node.items) countNodes(item, state);
  }
}
