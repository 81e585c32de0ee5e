import type { TreeBranches, TreeMap } from '../tree.ts';

/** The file formats sops reads and writes. */
export type Format = 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';

export const FORMATS: readonly Format[] = ['yaml', 'json', 'dotenv', 'ini', 'binary'];

/** Output options from `.sops.yaml` `stores:`. */
export interface StoreOptions {
  /** YAML indentation (default 4). */
  yamlIndent?: number;
  /** JSON indentation in spaces; -1 (default) is a tab. */
  jsonIndent?: number;
}

/** One store: turns bytes into branches and back, and carries the `sops` block. */
export interface Store {
  readonly format: Format;
  loadPlain(bytes: Uint8Array): TreeBranches;
  /** Splits an encrypted file into data branches and the raw (unflattened) `sops` block. */
  loadEncrypted(bytes: Uint8Array): { branches: TreeBranches; metadata: TreeMap | undefined };
  emitPlain(branches: TreeBranches): Uint8Array;
  emitEncrypted(branches: TreeBranches, metadata: TreeMap): Uint8Array;
}
