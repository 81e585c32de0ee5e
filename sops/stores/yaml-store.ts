import type { Store } from './store.ts';
import { appendTopLevelMetadata, extractTopLevelMetadata } from './top-level-metadata.ts';
import { emitYaml } from './yaml-emit.ts';
import { parseYaml } from './yaml-parse.ts';

/** YAML: multi-document, comments kept, `sops:` appended to every document. */
export function yamlStore(indent = 4): Store {
  return {
    format: 'yaml',
    loadPlain: parseYaml,
    loadEncrypted: (bytes) => extractTopLevelMetadata(parseYaml(bytes)),
    emitPlain: (branches) => emitYaml(branches, indent),
    emitEncrypted: (branches, metadata) =>
      emitYaml(appendTopLevelMetadata(branches, metadata), indent),
  };
}
