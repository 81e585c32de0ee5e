import type { Scalar, TreeMap, TreeSeq, TreeValue } from '../tree.ts';
import { isComment } from '../tree.ts';
import { formatScalar, formatString } from './yaml-style.ts';

/** Appends in a loop: spreading a long list of comments into push() overflows the stack. */
function appendAll(target: string[], source: readonly string[]): void {
  for (const item of source) target.push(item);
}

/** A go-yaml node as sops builds it: comments become head, line and foot comments. */
interface Node {
  head: string[];
  line: string[];
  foot: string[];
  map?: Array<{ key: string; keyNode: Node; value: Node }>;
  seq?: Node[];
  scalar?: Scalar;
}

function blank(): Node {
  return { head: [], line: [], foot: [] };
}

// sops's appendTreeBranch / appendSequence: comments before the first item go to the
// collection's head, later ones to the next item's head; inline ones to the next value's
// line comment; trailing ones to the last item's foot.
function toNode(value: TreeValue): Node {
  const node = blank();
  if (value.type !== 'map' && value.type !== 'seq') {
    node.scalar = value;
    return node;
  }
  let heads: string[] = [];
  let inlines: string[] = [];
  let lastNode: Node | undefined;
  const entries: NonNullable<Node['map']> = [];
  const items: Node[] = [];
  for (const item of value.items as Array<unknown>) {
    if (isComment(item)) {
      (item.inline ? inlines : heads).push(item.value);
      continue;
    }
    if (lastNode === undefined) {
      appendAll(node.head, heads);
      heads = [];
    }
    if (value.type === 'map') {
      const pair = item as { key: string; value: TreeValue };
      const keyNode = blank();
      keyNode.head = heads;
      const child = toNode(pair.value);
      appendAll(child.line, inlines);
      entries.push({ key: pair.key, keyNode, value: child });
      lastNode = keyNode;
    } else {
      const child = toNode(item as TreeValue);
      child.head = heads.concat(child.head);
      appendAll(child.line, inlines);
      items.push(child);
      lastNode = child;
    }
    heads = [];
    inlines = [];
  }
  const rest = [...heads, ...inlines];
  appendAll(lastNode === undefined ? node.head : lastNode.foot, rest);
  if (value.type === 'map') node.map = entries;
  else node.seq = items;
  return node;
}

// go-yaml tags a `<<` key explicitly when it writes it back.
function keyText(key: string, indent: number): string {
  if (key === '<<') return '!!merge <<';
  return (formatString(key, true, indent) as { inline: string }).inline;
}

class Emitter {
  readonly lines: string[] = [];
  private readonly best: number;

  constructor(best: number) {
    this.best = best;
  }

  private pad(n: number): string {
    return ' '.repeat(n);
  }

  private comments(list: string[], indent: number): void {
    for (const c of list) this.lines.push(`${this.pad(indent)}#${c}`);
  }

  private lineComment(node: Node): string {
    return node.line.length > 0 ? ` #${node.line.join(' #')}` : '';
  }

  private nextIndent(indent: number): number {
    return this.best * Math.floor((indent + this.best) / this.best);
  }

  private isEmptyCollection(node: Node): string | undefined {
    if (node.map && node.map.length === 0) return '{}';
    if (node.seq && node.seq.length === 0) return '[]';
    return undefined;
  }

  /** Writes `start` + value; `scalarIndent` is where a block scalar's lines go. */
  private value(
    start: string,
    node: Node,
    childIndent: number,
    scalarIndent: number,
    afterDash: boolean,
  ): void {
    const empty = this.isEmptyCollection(node);
    if (node.scalar) {
      const out = formatScalar(node.scalar, this.best);
      if ('inline' in out) {
        this.lines.push(`${start}${out.inline}${this.lineComment(node)}`);
      } else {
        this.lines.push(`${start}${out.header}${this.lineComment(node)}`);
        const body = out.block.endsWith('\n') ? out.block.slice(0, -1) : out.block;
        for (const line of body.split('\n'))
          this.lines.push(line === '' ? '' : this.pad(scalarIndent) + line);
      }
    } else if (empty) {
      this.lines.push(`${start}${empty}${this.lineComment(node)}`);
    } else if (afterDash) {
      if (node.map) this.writeMap(node, childIndent, start);
      else this.writeSeq(node, childIndent, start);
    } else {
      this.lines.push(`${start.trimEnd()}${this.lineComment(node)}`);
      if (node.map) this.writeMap(node, childIndent, undefined);
      else this.writeSeq(node, childIndent, undefined);
    }
  }

  writeMap(node: Node, indent: number, prefix: string | undefined): void {
    this.comments(node.head, indent);
    (node.map ?? []).forEach((entry, i) => {
      this.comments(entry.keyNode.head, indent);
      const start = `${i === 0 && prefix !== undefined ? prefix : this.pad(indent)}${keyText(entry.key, this.best)}: `;
      const child = this.nextIndent(indent);
      this.value(start, entry.value, child, child, false);
      this.comments(entry.keyNode.foot, indent);
    });
  }

  writeSeq(node: Node, indent: number, prefix: string | undefined): void {
    this.comments(node.head, indent);
    (node.seq ?? []).forEach((item, i) => {
      this.comments(item.head, indent);
      const start = `${i === 0 && prefix !== undefined ? prefix : this.pad(indent)}- `;
      this.value(start, item, indent + 2, indent + 2, true);
      this.comments(item.foot, indent);
    });
  }
}

/** Writes branches as sops's YAML store does (go-yaml v3 encoder, indent 4 by default). */
export function emitYaml(branches: TreeMap[], indent = 4): Uint8Array {
  const docs = branches.map((branch) => {
    const emitter = new Emitter(indent);
    const node = toNode(branch);
    if (node.map && node.map.length === 0) {
      for (const c of node.head) emitter.lines.push(`#${c}`);
      emitter.lines.push('{}');
    } else {
      emitter.writeMap(node, 0, undefined);
    }
    return `${emitter.lines.join('\n')}\n`;
  });
  return Buffer.from(docs.join('---\n'), 'utf8');
}

export type { TreeSeq };
