import { describe, expect, it } from 'vitest';
import { isStepError } from '../step-error.ts';
import { decryptionKeysFromSecret } from './index.ts';

const bytes = (text: string) => Buffer.from(text);
const ageKey = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';

describe('decryptionKeysFromSecret', () => {
  it('sorts entries by Flux naming and lists the unknown ones', () => {
    const keys = decryptionKeysFromSecret({
      'identity.agekey': bytes(`# comment\n${ageKey}\n`),
      'sops.vault-token': bytes('t'),
      'age.key': bytes(ageKey),
      'key.txt': bytes('x'),
      'sops.aws-kms': bytes('aws_access_key_id: AKIA\naws_secret_access_key: s\n'),
    });
    expect(keys.unknownEntries).toEqual(['age.key', 'key.txt']);
    expect(keys.keySources.map((s) => s.type).sort()).toEqual([
      'age',
      'azure_kv',
      'gcp_kms',
      'hc_vault',
      'kms',
      'pgp',
    ]);
  });

  it('offers each remote key service once, with or without credentials in the Secret', () => {
    const types = (data: Record<string, Uint8Array>) =>
      decryptionKeysFromSecret(data).keySources.map((s) => s.type);
    expect(types({})).toEqual(['age', 'pgp', 'hc_vault', 'kms', 'gcp_kms', 'azure_kv']);
    expect(
      types({
        'sops.vault-token': bytes('hvs.token\n'),
        'sops.aws-kms': bytes('aws_access_key_id: AKIA\naws_secret_access_key: s\n'),
        'sops.gcp-kms': bytes('ya29.access-token'),
        'sops.azure-kv': bytes('tenantId: t\nclientId: c\nclientSecret: s\n'),
      }),
    ).toEqual(['age', 'pgp', 'hc_vault', 'kms', 'gcp_kms', 'azure_kv']);
  });

  it.each([
    {
      name: 'an .agekey entry without identity is refused by name',
      entry: 'bad.agekey',
      content: 'nope',
    },
    {
      name: 'an .asc entry without a private key is refused by name',
      entry: 'bad.asc',
      content: 'nope',
    },
    {
      name: 'a sops.vault-token entry holding two tokens is refused by name',
      entry: 'sops.vault-token',
      content: 'hvs.first hvs.second',
    },
    {
      name: 'an empty sops.vault-token entry is refused by name',
      entry: 'sops.vault-token',
      content: '  ',
    },
    {
      name: 'a sops.aws-kms entry without a secret key is refused by name',
      entry: 'sops.aws-kms',
      content: 'aws_access_key_id: AKIAEXAMPLE\naws_session_token: hunter2\n',
    },
    {
      name: 'a sops.aws-kms entry that is not a mapping is refused by name',
      entry: 'sops.aws-kms',
      content: 'hunter2',
    },
    {
      name: 'a sops.gcp-kms entry that is broken JSON is refused by name',
      entry: 'sops.gcp-kms',
      content: '{"type": "service_account", "private_key": "hunter2',
    },
    {
      name: 'a sops.gcp-kms service account without its private key is refused by name',
      entry: 'sops.gcp-kms',
      content: '{"type": "service_account", "client_email": "hunter2@p.iam.gserviceaccount.com"}',
    },
    {
      name: 'a sops.azure-kv entry without a usable credential is refused by name',
      entry: 'sops.azure-kv',
      content: 'tenantId: t\nclientSecret: hunter2\n',
    },
    {
      name: 'a sops.azure-kv entry that is not YAML is refused by name',
      entry: 'sops.azure-kv',
      content: '{ clientSecret: [hunter2',
    },
  ])('$name', ({ entry, content }) => {
    try {
      decryptionKeysFromSecret({ [entry]: bytes(content) });
      expect.unreachable();
    } catch (error) {
      expect(isStepError(error) && error.reason).toBe('DecryptionFailed');
      expect((error as Error).message).toContain(`'${entry}'`);
      expect((error as Error).message).not.toContain(content.trim() || entry.repeat(2));
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
