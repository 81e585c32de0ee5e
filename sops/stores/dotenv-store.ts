import { SopsError } from '../errors.ts';
import { formatFloatG } from '../go-format.ts';
import type { Comment, MapItem, TreeBranches, TreeMap, TreeValue } from '../tree.ts';
import { comment, isComment, str } from '../tree.ts';
import { flattenMetadata, unflattenMetadata } from './flatten.ts';
import type { Store } from './store.ts';
import { utf8Text } from './utf8-text.ts';

const PREFIX = 'sops_';

/** One pass over the text with native searches: a large file has one line per value. */
function parse(bytes: Uint8Array): TreeMap {
  const items: Array<MapItem | Comment> = [];
  const text = utf8Text(bytes);
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      if (text.charCodeAt(start) === 0x23 /* # */) items.push(comment(text.slice(start + 1, end)));
      else {
        const eq = text.indexOf('=', start);
        if (eq === -1 || eq > end)
          throw new SopsError(
            'InvalidInput',
            `invalid dotenv input on line ${line + 1}: expected KEY=VALUE`,
          );
        const value = text.slice(eq + 1, end);
        items.push({
          key: text.slice(start, eq),
          value: str(value.includes('\\n') ? value.replaceAll('\\n', '\n') : value),
        });
      }
    }
    start = end + 1;
  }
  return { type: 'map', items };
}

// Go's ValToString for the few non-string values that can reach a dotenv file.
function valueText(value: TreeValue, key: string): string {
  switch (value.type) {
    case 'str':
      return value.value.includes('\n') ? value.value.replaceAll('\n', '\\n') : value.value;
    case 'int':
      return value.value.toString();
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'time':
      return value.value;
    case 'null':
      return '<nil>';
    case 'float': {
      const text = formatFloatG(value.value).toUpperCase();
      return text.includes('.') || text.includes('E') ? text : value.value.toFixed(1);
    }
    default:
      throw new SopsError(
        'InvalidInput',
        `cannot use complex value in dotenv file; offending key ${key}`,
      );
  }
}

function emit(branch: TreeMap): Uint8Array {
  // Joined once: a string grown line by line is flattened piece by piece at the end.
  const parts: string[] = [];
  for (const item of branch.items) {
    if (isComment(item)) parts.push('#', item.value, '\n');
    else parts.push(item.key, '=', valueText(item.value, item.key), '\n');
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** dotenv: `KEY=VALUE` lines, `#` comments, metadata flattened into `sops_…` keys. */
export const dotenvStore: Store = {
  format: 'dotenv',
  loadPlain: (bytes) => [parse(bytes)],
  loadEncrypted(bytes) {
    const branch = parse(bytes);
    const entries: { key: string; value: string }[] = [];
    const items = branch.items.filter((item) => {
      if (isComment(item) || !item.key.startsWith(PREFIX)) return true;
      entries.push({
        key: item.key.slice(PREFIX.length),
        value: item.value.type === 'str' ? item.value.value : '',
      });
      return false;
    });
    const metadata = entries.length > 0 ? unflattenMetadata(entries) : undefined;
    return { branches: [{ type: 'map', items }], metadata };
  },
  emitPlain: (branches: TreeBranches) => emit(branches[0] ?? { type: 'map', items: [] }),
  emitEncrypted(branches, metadata) {
    const flat = flattenMetadata(metadata, PREFIX).map((entry) => ({
      key: entry.key,
      value: str(entry.value),
    }));
    const branch = branches[0] ?? { type: 'map', items: [] };
    return emit({ type: 'map', items: [...branch.items, ...flat] });
  },
};
