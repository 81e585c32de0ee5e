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
      'sops.aws-kms': bytes('x'),
    });
    expect(keys.unknownEntries).toEqual(['age.key', 'key.txt']);
    expect(keys.unsupportedEntries).toEqual(['sops.aws-kms', 'sops.vault-token']);
    expect(keys.keySources.map((s) => s.type).sort()).toEqual(['age', 'pgp']);
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
  ])('$name', ({ entry, content }) => {
    try {
      decryptionKeysFromSecret({ [entry]: bytes(content) });
      expect.unreachable();
    } catch (error) {
      expect(isStepError(error) && error.reason).toBe('DecryptionFailed');
      expect((error as Error).message).toContain(`'${entry}'`);
      expect((error as Error).message).not.toContain(content);
    }
  });
});
