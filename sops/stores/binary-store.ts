import { SopsError } from '../errors.ts';
import type { TreeMap } from '../tree.ts';
import { isComment } from '../tree.ts';
import { emitJson, parseJson } from './json-store.ts';
import type { Store } from './store.ts';
import { extractTopLevelMetadata } from './top-level-metadata.ts';

/** binary: the whole file is one `data` string inside a JSON envelope with the `sops` block. */
export function binaryStore(jsonIndent = '\t'): Store {
  return {
    format: 'binary',
    loadPlain: (bytes) => [
      {
        type: 'map',
        items: [
          {
            key: 'data',
            value: {
              type: 'str',
              value: Buffer.from(bytes).toString('utf8'),
              bytes: Uint8Array.from(bytes),
            },
          },
        ],
      },
    ],
    loadEncrypted: (bytes) => extractTopLevelMetadata([parseJson(bytes)]),
    emitPlain(branches) {
      const data = branches[0]?.items.find((item) => !isComment(item) && item.key === 'data');
      if (!data || isComment(data) || data.value.type !== 'str')
        throw new SopsError('InvalidInput', 'binary file has no "data" string');
      return data.value.bytes ?? Buffer.from(data.value.value, 'utf8');
    },
    emitEncrypted(branches, metadata: TreeMap) {
      const branch = branches[0] ?? { type: 'map', items: [] };
      return emitJson(
        { type: 'map', items: [...branch.items, { key: 'sops', value: metadata }] },
        jsonIndent,
      );
    },
  };
}
