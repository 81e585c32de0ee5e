import { Scalar, YAMLMap } from 'yaml';
import { KustomizeError } from '../errors.ts';
import { createResource, type GeneratorBehavior, type Resource } from '../resource/resource.ts';
import { appendField, ensureMap, setField, stringScalar } from '../resource/yaml-node.ts';
import { type KvFileReader, type KvSources, loadKvPairs } from './kv-sources.ts';

/** kustomize's `GeneratorOptions`, after merging the kustomization-wide ones in. */
export interface GeneratorOptions {
  labels?: Map<string, string>;
  annotations?: Map<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

/** One `configMapGenerator` or `secretGenerator` entry. */
export interface GeneratorArgs extends KvSources {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  namespace: string;
  behavior: GeneratorBehavior;
  options: GeneratorOptions | undefined;
  /** Secret `type`; `Opaque` when empty. */
  type: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Go's base64 as kyaml writes Secret data: lines of 70 characters once longer than one line. */
export function encodeSecretBase64(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes).toString('base64');
  const lineCount = Math.floor(encoded.length / 70) + 1;
  if (lineCount <= 1) return encoded;
  let out = '';
  for (let i = 0; i < encoded.length; i += 70) out += `${encoded.slice(i, i + 70)}\n`;
  return out;
}

/** Builds the ConfigMap or Secret of one generator entry. */
export async function generateResource(
  args: GeneratorArgs,
  read: KvFileReader,
  where: string,
): Promise<Resource> {
  if (args.name === '') {
    throw new KustomizeError(
      'InvalidKustomization',
      `${where}: a ${args.kind.toLowerCase()} generator must have a name`,
    );
  }
  const node = new YAMLMap();
  setField(node, 'apiVersion', stringScalar('v1'));
  setField(node, 'kind', stringScalar(args.kind));
  const metadata = ensureMap(node, 'metadata');
  setField(metadata, 'name', stringScalar(args.name));
  if (args.namespace !== '') setField(metadata, 'namespace', stringScalar(args.namespace));
  if (args.kind === 'Secret') setField(node, 'type', stringScalar(args.type || 'Opaque'));

  const pairs = await loadKvPairs(args, read, where);
  const seen = new Set<string>();
  for (const pair of pairs) {
    if (seen.has(pair.key)) {
      throw new KustomizeError(
        'InvalidKustomization',
        `${where}: configmap ${args.name} illegally repeats the key \`${pair.key}\``,
      );
    }
    seen.add(pair.key);
  }
  // kyaml creates a Secret's `data` even when empty, a ConfigMap's only when needed.
  if (args.kind === 'Secret') ensureMap(node, 'data');
  const sorted = [...pairs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // The keys are unique (checked above), so each is appended without a search.
  for (const pair of sorted) {
    if (args.kind === 'Secret') {
      appendField(ensureMap(node, 'data'), pair.key, stringScalar(encodeSecretBase64(pair.value)));
      continue;
    }
    const text = decodeUtf8(pair.value);
    if (text !== undefined) appendField(ensureMap(node, 'data'), pair.key, stringScalar(text));
    else
      appendField(
        ensureMap(node, 'binaryData'),
        pair.key,
        stringScalar(encodeSecretBase64(pair.value)),
      );
  }
  const options = args.options;
  for (const [k, v] of [...(options?.labels ?? [])].sort()) {
    setField(ensureMap(metadata, 'labels'), k, stringScalar(v));
  }
  for (const [k, v] of [...(options?.annotations ?? [])].sort()) {
    setField(ensureMap(metadata, 'annotations'), k, stringScalar(v));
  }
  if (options?.immutable) setField(node, 'immutable', new Scalar(true));
  const resource = createResource(node, where);
  resource.generator = {
    behavior: args.behavior,
    needsHashSuffix: options?.disableNameSuffixHash !== true,
  };
  return resource;
}
