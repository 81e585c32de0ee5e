import { SopsError } from '../errors.ts';
import { binaryStore } from './binary-store.ts';
import { dotenvStore } from './dotenv-store.ts';
import { iniStore } from './ini-store.ts';
import { emitJson, parseJson } from './json-store.ts';
import type { Format, Store, StoreOptions } from './store.ts';
import { appendTopLevelMetadata, extractTopLevelMetadata } from './top-level-metadata.ts';
import { yamlStore } from './yaml-store.ts';

export type { Format, Store, StoreOptions } from './store.ts';
export { FORMATS } from './store.ts';

/**
 * The largest structured (non-binary) file we parse. The YAML parser needs ~40× the input in
 * memory; past this a clear error beats an out-of-memory crash. Kubernetes objects are ≤ 1 MiB.
 */
export const MAX_STRUCTURED_INPUT_BYTES = 32 * 1024 * 1024;
const MAX_BINARY_INPUT_BYTES = 512 * 1024 * 1024;

/** Refuses input too large for the format's store, naming the limit. */
export function checkInputSize(format: Format, size: number, limit?: number): void {
  const max = limit ?? (format === 'binary' ? MAX_BINARY_INPUT_BYTES : MAX_STRUCTURED_INPUT_BYTES);
  if (size > max) {
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
    throw new SopsError(
      'InvalidInput',
      `file is too large for the ${format} store (${mib(size)}, limit ${mib(max)})`,
    );
  }
}

/** The format sops picks from a file name: by extension, anything else is binary. */
export function formatForPath(path: string): Format {
  const lower = path.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.env')) return 'dotenv';
  if (lower.endsWith('.ini')) return 'ini';
  return 'binary';
}

function jsonStore(indent: string): Store {
  return {
    format: 'json',
    loadPlain: (bytes) => [parseJson(bytes)],
    loadEncrypted: (bytes) => extractTopLevelMetadata([parseJson(bytes)]),
    emitPlain: (branches) => emitJson(branches[0] ?? { type: 'map', items: [] }, indent),
    emitEncrypted: (branches, metadata) =>
      emitJson(appendTopLevelMetadata(branches, metadata)[0] ?? { type: 'map', items: [] }, indent),
  };
}

/** The store for a format. */
export function storeFor(format: Format, options: StoreOptions = {}): Store {
  const jsonIndent =
    options.jsonIndent === undefined || options.jsonIndent < 0
      ? '\t'
      : ' '.repeat(options.jsonIndent);
  switch (format) {
    case 'yaml':
      return yamlStore(options.yamlIndent ?? 4);
    case 'json':
      return jsonStore(jsonIndent);
    case 'dotenv':
      return dotenvStore;
    case 'ini':
      return iniStore;
    case 'binary':
      return binaryStore(jsonIndent);
  }
}
