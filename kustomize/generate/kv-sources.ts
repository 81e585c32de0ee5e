import { posix } from 'node:path';
import { KustomizeError } from '../errors.ts';

/** Where a generator's key/value pairs come from (kustomize's `KvPairSources`). */
export interface KvSources {
  literals: string[];
  files: string[];
  envs: string[];
}

/** Reads a file relative to the kustomization, with the load restrictor applied. */
export type KvFileReader = (path: string) => Promise<Uint8Array>;

export interface KvPair {
  key: string;
  /** Raw bytes: a file may hold non-UTF-8 content (it becomes `binaryData`). */
  value: Uint8Array;
}

const encoder = new TextEncoder();

/** kustomize's kv loader: env files first, then literals, then files. */
export async function loadKvPairs(
  sources: KvSources,
  read: KvFileReader,
  where: string,
): Promise<KvPair[]> {
  const pairs: KvPair[] = [];
  for (const path of sources.envs)
    for (const pair of parseEnvFile(await read(path), `${where}: env file ${path}`))
      pairs.push(pair);
  sources.literals.forEach((literal, index) => {
    pairs.push(parseLiteral(literal, `${where}: literals[${index}]`));
  });
  for (const source of sources.files) {
    const [key, path] = parseFileSource(source, where);
    pairs.push({ key, value: await read(path) });
  }
  return pairs;
}

function parseLiteral(source: string, where: string): KvPair {
  const eq = source.indexOf('=');
  if (eq <= 0) {
    // The literal itself is not quoted: in a secretGenerator it may be the secret.
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: invalid literal source, expected key=value`,
    );
  }
  return { key: source.slice(0, eq), value: encoder.encode(removeQuotes(source.slice(eq + 1))) };
}

function removeQuotes(text: string): string {
  if (text.length < 2 || text[0] !== text[text.length - 1]) return text;
  return text[0] === '"' || text[0] === "'" ? text.slice(1, -1) : text;
}

/** `key=path` or `path` (the key is then the file's base name). */
export function parseFileSource(source: string, where: string): [key: string, path: string] {
  const separators = source.split('=').length - 1;
  if (separators === 0) return [posix.basename(source), source];
  if (separators > 1) {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: source "${source}" key name or file path contains '='`,
    );
  }
  const [key = '', path = ''] = source.split('=');
  if (key === '')
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: missing key name for file path "${path}"`,
    );
  if (path === '')
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: missing file path for key name "${key}"`,
    );
  return [key, path];
}

/** An env file: `KEY=value` lines, `#` comments and blank lines skipped, value kept verbatim. */
function parseEnvFile(content: Uint8Array, where: string): KvPair[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content);
  } catch {
    throw new KustomizeError('InvalidKustomization', `${where}: has invalid UTF-8 bytes`);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const pairs: KvPair[] = [];
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    // krusty (kubectl, Flux) validates neither env names nor keys: its validator is a no-op.
    const key = eq >= 0 ? line.slice(0, eq) : line;
    pairs.push({ key, value: encoder.encode(eq >= 0 ? line.slice(eq + 1) : '') });
  }
  return pairs;
}
