import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { encryptFile, type Format } from '../../../sops/index.ts';
import { isStepError } from '../step-error.ts';
import { decryptionKeysFromSecret, decryptObjects, type KubeObject } from './index.ts';

const identity = await generateIdentity();
const keys = decryptionKeysFromSecret({ 'age.agekey': Buffer.from(identity) });
const keyGroups = [[{ type: 'age' as const, id: await identityToRecipient(identity) }]];

async function encrypt(text: string, format: Format, encrypted_regex?: string): Promise<string> {
  const bytes = await encryptFile(Buffer.from(text), {
    format,
    keyGroups,
    keySources: keys.keySources,
    ...(encrypted_regex ? { rules: { encrypted_regex } } : {}),
  });
  return Buffer.from(bytes).toString('utf8');
}

function secret(data: Record<string, string>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'apps', ...(annotations ? { annotations } : {}) },
    data,
  };
}

const dataOf = (object: KubeObject | undefined) => (object?.data ?? {}) as Record<string, string>;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: unknown) => Buffer.from(String(text), 'base64').toString('utf8');

describe('decryptObjects', () => {
  it('decrypts a whole encrypted object even after the build changed it (no MAC check)', async () => {
    const sealed = parse(
      await encrypt(
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: value-1\n',
        'yaml',
        '^(data|stringData)$',
      ),
    ) as KubeObject;
    sealed.metadata.namespace = 'added-by-kustomize';
    const [out] = await decryptObjects([sealed], keys);
    expect(out?.stringData).toEqual({ k: 'value-1' });
    expect(out).not.toHaveProperty('sops');
  });

  it('decrypts Secret data values holding a SOPS binary envelope or document', async () => {
    const envelope = await encrypt('raw-secret-bytes', 'binary');
    const document = await encrypt('key: doc-secret\n', 'yaml');
    const [out] = await decryptObjects(
      [secret({ token: b64(envelope), 'config.yaml': b64(document), plain: b64('hello') })],
      keys,
    );
    const data = out?.data as Record<string, string>;
    expect(unb64(data.token)).toBe('raw-secret-bytes');
    expect(unb64(data['config.yaml'])).toBe('key: doc-secret\n');
    expect(unb64(data.plain)).toBe('hello');
  });

  it('converts a document to the format the key names', async () => {
    const document = await encrypt('{"key": "json-secret"}', 'json');
    const [out] = await decryptObjects([secret({ 'out.yaml': b64(document) })], keys);
    expect(unb64(dataOf(out)['out.yaml'])).toBe('key: json-secret\n');
  });

  it('leaves objects annotated decrypt: disabled alone', async () => {
    const envelope = b64(await encrypt('x', 'binary'));
    const object = secret(
      { token: envelope },
      { 'kustomize.toolkit.fluxcd.io/decrypt': 'Disabled' },
    );
    const [out] = await decryptObjects([object], keys);
    expect(dataOf(out).token).toBe(envelope);
  });

  it('refuses an encrypted object without keys, naming it', async () => {
    const sealed = parse(
      await encrypt(
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata: {}\n',
        'yaml',
        '^data$',
      ),
    );
    const error = await decryptObjects([sealed as KubeObject], undefined).catch((e: unknown) => e);
    expect(isStepError(error) && error.reason).toBe('DecryptionFailed');
    expect((error as Error).message).toMatch(/^Secret\/s: .*set spec\.decryption/);
  });

  it('names the Secret and key when a value cannot be decrypted', async () => {
    const other = decryptionKeysFromSecret({ 'o.agekey': Buffer.from(await generateIdentity()) });
    const envelope = await encrypt('raw-secret-bytes', 'binary');
    const error = await decryptObjects([secret({ token: b64(envelope) })], other).catch(
      (e: unknown) => e,
    );
    expect(isStepError(error) && error.reason).toBe('DecryptionFailed');
    expect((error as Error).message).toMatch(/^Secret\/apps\/s data key 'token': /);
    expect((error as Error).message).not.toContain('raw-secret-bytes');
  });
});
