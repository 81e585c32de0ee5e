import { ageKeySource, parseAgeIdentities } from './age-key-source.ts';
import type { KeySource } from './key-source.ts';
import { pgpKeySource } from './pgp-key-source.ts';

/**
 * Key sources from a Flux-style decryption Secret's data, as kustomize-controller reads it:
 * entries ending in `.agekey` hold age identities, entries ending in `.asc` hold armored
 * OpenPGP private keys. Other entries (cloud credentials) are ignored here.
 */
export function keySourcesFromSecretData(
  data: Readonly<Record<string, Uint8Array | string>>,
): KeySource[] {
  const text = (value: Uint8Array | string) =>
    typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  const ageIdentities: string[] = [];
  const pgpKeys: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (name.endsWith('.agekey')) ageIdentities.push(...parseAgeIdentities(text(value)));
    else if (name.endsWith('.asc')) pgpKeys.push(text(value));
  }
  return [
    ageKeySource(ageIdentities),
    pgpKeySource({ privateKeys: pgpKeys.map((armored) => ({ armored })) }),
  ];
}
