import { parseDocument } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { kustomizationToJs } from '../kustomization/yaml-to-js.ts';
import type { TargetFileReader } from './patches.ts';

const decoder = new TextDecoder();

/** Reads `replacements` entries: inline, or `path:` to a file holding one or a list. */
export async function loadReplacements(
  entries: readonly unknown[],
  read: TargetFileReader,
  where: string,
): Promise<unknown[]> {
  const result: unknown[] = [];
  for (const [index, entry] of entries.entries()) {
    const at = `${where}: replacements[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new KustomizeError('InvalidKustomization', `${at}: must be a mapping`);
    }
    const raw = entry as Record<string, unknown>;
    const path = raw.path;
    if (path === undefined || path === null || path === '') {
      result.push(raw);
      continue;
    }
    if (typeof path !== 'string')
      throw new KustomizeError('InvalidKustomization', `${at}: path must be a string`);
    if (raw.source !== undefined || raw.targets !== undefined) {
      throw new KustomizeError(
        'InvalidKustomization',
        `${at}: cannot specify both path and inline replacement`,
      );
    }
    const doc = parseDocument(decoder.decode(await read(path)), {
      uniqueKeys: false,
      prettyErrors: false,
    });
    if (doc.errors[0])
      throw new KustomizeError('InvalidKustomization', `${at}: ${path}: invalid YAML`);
    const content = kustomizationToJs(doc, `${at}: ${path}`);
    if (Array.isArray(content)) for (const entry of content) result.push(entry);
    else if (content !== null && typeof content === 'object') result.push(content);
    else
      throw new KustomizeError(
        'InvalidKustomization',
        `${at}: ${path}: unsupported replacement type`,
      );
  }
  return result;
}
