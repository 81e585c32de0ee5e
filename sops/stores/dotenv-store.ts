import { SopsError } from '../errors.ts';
import { formatFloatG } from '../go-format.ts';
import type { Comment, MapItem, TreeBranches, TreeMap, TreeValue } from '../tree.ts';
import { comment, isComment, str } from '../tree.ts';
import { flattenMetadata, unflattenMetadata } from './flatten.ts';
import type { Store } from './store.ts';

const PREFIX = 'sops_';

function parse(bytes: Uint8Array): TreeMap {
  const items: Array<MapItem | Comment> = [];
  const lines = Buffer.from(bytes).toString('utf8').split('\n');
  lines.forEach((line, index) => {
    if (line === '') return;
    if (line.startsWith('#')) {
      items.push(comment(line.slice(1)));
      return;
    }
    const eq = line.indexOf('=');
    if (eq === -1)
      throw new SopsError(
        'InvalidInput',
        `invalid dotenv input on line ${index + 1}: expected KEY=VALUE`,
      );
    items.push({ key: line.slice(0, eq), value: str(line.slice(eq + 1).replaceAll('\\n', '\n')) });
  });
  return { type: 'map', items };
}

// Go's ValToString for the few non-string values that can reach a dotenv file.
function valueText(value: TreeValue, key: string): string {
  switch (value.type) {
    case 'str':
      return value.value.replaceAll('\n', '\\n');
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
  let out = '';
  for (const item of branch.items) {
    if (isComment(item)) out += `#${item.value}\n`;
    else out += `${item.key}=${valueText(item.value, item.key)}\n`;
  }
  return Buffer.from(out, 'utf8');
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
