import { SopsError } from '../errors.ts';
import type { TreeBranches, TreeMap } from '../tree.ts';
import { isComment } from '../tree.ts';

/**
 * Removes the top-level `sops` entry from every branch; only the first document's entry is
 * the metadata (sops writes an identical copy into each YAML document).
 */
export function extractTopLevelMetadata(branches: TreeBranches): {
  branches: TreeBranches;
  metadata: TreeMap | undefined;
} {
  let metadata: TreeMap | undefined;
  const out = branches.map((branch, index) => {
    const items = branch.items.filter((item) => {
      if (isComment(item) || item.key !== 'sops') return true;
      if (index === 0) {
        if (metadata) throw new SopsError('InvalidMetadata', 'Found duplicate sops entry');
        if (item.value.type !== 'map')
          throw new SopsError('InvalidMetadata', 'Found sops entry that is not a mapping');
        metadata = item.value;
      }
      return false;
    });
    return { type: 'map' as const, items };
  });
  return { branches: out, metadata };
}

/** Appends the `sops` block as the last key of every document. */
export function appendTopLevelMetadata(branches: TreeBranches, metadata: TreeMap): TreeBranches {
  return branches.map((branch) => ({
    type: 'map',
    items: [...branch.items, { key: 'sops', value: metadata }],
  }));
}
