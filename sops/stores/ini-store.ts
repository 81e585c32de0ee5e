import { SopsError } from '../errors.ts';
import type { Comment, MapItem, TreeBranches, TreeMap, TreeValue } from '../tree.ts';
import { comment, isComment, str } from '../tree.ts';
import { flattenMetadata, unflattenMetadata } from './flatten.ts';
import type { Store } from './store.ts';

const DEFAULT = 'DEFAULT';

interface Section {
  name: string;
  comment: string;
  keys: Array<{ name: string; value: string; comment: string }>;
}

// sops strips the comment marker and following blanks (strings.TrimLeft(c, "; ") / "# ").
function stripCommentChar(text: string): string {
  if (text.startsWith(';')) return text.replace(/^[; ]+/, '');
  if (text.startsWith('#')) return text.replace(/^[# ]+/, '');
  return text;
}

function surrounded(text: string, quote: string): boolean {
  return (
    text.length >= 2 &&
    text.startsWith(quote) &&
    text.endsWith(quote) &&
    !text.slice(1, -1).includes(quote)
  );
}

// go-ini's value reading with sops's options: raw backtick/triple-quote values, inline comments
// start at the first # or ;, then one pair of surrounding quotes is removed.
function readValue(raw: string): { value: string; inline: string } {
  const line = raw.trim();
  if (line.startsWith('"""') && line.length > 3)
    return {
      value: line.slice(3, line.indexOf('"""', 3) === -1 ? undefined : line.indexOf('"""', 3)),
      inline: '',
    };
  if (line.startsWith('`'))
    return {
      value: line.slice(1, line.indexOf('`', 1) === -1 ? undefined : line.indexOf('`', 1)),
      inline: '',
    };
  const cut = line.search(/[#;]/);
  const inline = cut === -1 ? '' : line.slice(cut);
  let value = cut === -1 ? line : line.slice(0, cut).trim();
  if (surrounded(value, '"') || surrounded(value, "'")) value = value.slice(1, -1);
  return { value, inline };
}

function parseSections(bytes: Uint8Array): Section[] {
  const sections: Section[] = [{ name: DEFAULT, comment: '', keys: [] }];
  let pending: string[] = [];
  Buffer.from(bytes)
    .toString('utf8')
    .split(/\r?\n/)
    .forEach((rawLine, index) => {
      const line = rawLine.trim();
      if (line === '') return;
      if (line.startsWith('#') || line.startsWith(';')) {
        pending.push(line);
        return;
      }
      if (line.startsWith('[')) {
        const end = line.indexOf(']');
        if (end === -1)
          throw new SopsError('InvalidInput', `invalid INI section header on line ${index + 1}`);
        sections.push({
          name: line.slice(1, end).trim(),
          comment: pending.join('\n').trim(),
          keys: [],
        });
        pending = [];
        return;
      }
      const eq = line.search(/[=:]/);
      if (eq === -1)
        throw new SopsError('InvalidInput', `invalid INI line ${index + 1}: expected key = value`);
      let name = line.slice(0, eq).trim();
      if (surrounded(name, '"') || surrounded(name, '`')) name = name.slice(1, -1);
      const { value, inline } = readValue(line.slice(eq + 1));
      const comments = inline ? [...pending, inline] : pending;
      (sections.at(-1) as Section).keys.push({ name, value, comment: comments.join('\n').trim() });
      pending = [];
    });
  return sections;
}

function toBranch(sections: Section[]): TreeMap {
  const items: MapItem[] = [];
  for (const section of sections) {
    if (section.name === DEFAULT && section.keys.length === 0 && section.comment === '') continue;
    const entries: Array<MapItem | Comment> = [];
    if (section.comment) entries.push(comment(stripCommentChar(section.comment)));
    for (const key of section.keys) {
      entries.push({ key: key.name, value: str(key.value) });
      if (key.comment) entries.push(comment(stripCommentChar(key.comment)));
    }
    items.push({ key: section.name, value: { type: 'map', items: entries } });
  }
  return { type: 'map', items };
}

function valueText(value: TreeValue): string {
  switch (value.type) {
    case 'str':
    case 'time':
      return value.value;
    case 'int':
      return value.value.toString();
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'float':
      return String(value.value);
    case 'null':
      return '';
    default:
      throw new SopsError('InvalidInput', 'INI values must be strings');
  }
}

// go-ini's writer: quote values it could not read back verbatim.
function quoteValue(value: string): string {
  if (/[\n`]/.test(value)) return `"""${value}"""`;
  if (/[#;]/.test(value)) return `\`${value}\``;
  if (value.trim() !== value) return `"${value}"`;
  return value;
}

function quoteKey(name: string): string {
  if (name.includes('`')) return `"""${name}"""`;
  if (/[=:]/.test(name)) return `\`${name}\``;
  return name;
}

function commentLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('#') || line.startsWith(';')
        ? `${line[0]} ${line.slice(1).trim()}`
        : `; ${line}`,
    );
}

function emit(branch: TreeMap): Uint8Array {
  const blocks: string[] = [];
  for (const item of branch.items) {
    if (isComment(item)) continue;
    if (item.value.type !== 'map')
      throw new SopsError(
        'InvalidInput',
        'Error encoding section: Section values should always be TreeBranches',
      );
    const entries = item.value.items;
    let sectionComment = '';
    let start = 0;
    const first = entries[0];
    if (first && isComment(first)) {
      sectionComment = first.value;
      start = 1;
    }
    const keys: Array<{ name: string; value: string; comment: string }> = [];
    for (const entry of entries.slice(start)) {
      if (isComment(entry)) {
        const last = keys.at(-1);
        if (last) last.comment = entry.value;
      } else {
        keys.push({
          name: quoteKey(entry.key),
          value: quoteValue(valueText(entry.value)),
          comment: '',
        });
      }
    }
    if (item.key === DEFAULT && keys.length === 0) continue;
    const width = Math.max(0, ...keys.map((k) => k.name.length));
    const lines = sectionComment ? commentLines(sectionComment) : [];
    if (item.key !== DEFAULT) lines.push(`[${item.key}]`);
    for (const key of keys) {
      if (key.comment) for (const line of commentLines(key.comment)) lines.push(line);
      lines.push(`${key.name.padEnd(width)} = ${key.value}`);
    }
    blocks.push(`${lines.join('\n')}\n`);
  }
  return Buffer.from(blocks.join('\n'), 'utf8');
}

/** INI: sections become top-level keys (keys before any section go to `DEFAULT`). */
export const iniStore: Store = {
  format: 'ini',
  loadPlain: (bytes) => [toBranch(parseSections(bytes))],
  loadEncrypted(bytes) {
    const branch = toBranch(parseSections(bytes));
    const sops = branch.items.find((item) => !isComment(item) && item.key === 'sops') as
      | MapItem
      | undefined;
    const items = branch.items.filter((item) => item !== sops);
    let metadata: TreeMap | undefined;
    if (sops && sops.value.type === 'map') {
      const entries = sops.value.items
        .filter((item): item is MapItem => !isComment(item))
        .map((item) => ({ key: item.key, value: valueText(item.value).replaceAll('\\n', '\n') }));
      metadata = unflattenMetadata(entries);
    }
    return { branches: [{ type: 'map', items }], metadata };
  },
  emitPlain: (branches: TreeBranches) => emit(branches[0] ?? { type: 'map', items: [] }),
  emitEncrypted(branches, metadata) {
    const flat = flattenMetadata(metadata, '').map((entry) => ({
      key: entry.key,
      value: str(entry.value.replaceAll('\n', '\\n')),
    }));
    const branch = branches[0] ?? { type: 'map', items: [] };
    return emit({
      type: 'map',
      items: [...branch.items, { key: 'sops', value: { type: 'map', items: flat } }],
    });
  },
};
