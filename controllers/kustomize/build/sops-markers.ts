import type { Format } from '../../../sops/index.ts';

/**
 * The byte strings by which Flux recognizes SOPS data of each format without parsing it: the
 * MAC entry as each store writes it (binary files are JSON envelopes at rest).
 */
export const sopsMarkers: Readonly<Record<Format, string>> = {
  binary: '"mac": "ENC[',
  json: '"mac": "ENC[',
  dotenv: 'sops_mac=ENC[',
  ini: '[sops]',
  yaml: 'mac: ENC[',
};

export function hasSopsMarker(bytes: Uint8Array, format: Format): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(
    sopsMarkers[format],
  );
}

/** Which store wrote SOPS data found in a Secret value, or undefined when it is not SOPS data. */
export function detectSopsFormat(bytes: Uint8Array): Format | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (text.includes(sopsMarkers.json)) return isBinaryEnvelope(text) ? 'binary' : 'json';
  if (text.includes(sopsMarkers.yaml)) return 'yaml';
  if (text.includes(sopsMarkers.dotenv)) return 'dotenv';
  if (text.includes(sopsMarkers.ini)) return 'ini';
  return undefined;
}

/** A binary file encrypted by sops: a JSON object with just `data` and `sops`. */
function isBinaryEnvelope(text: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(text.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const keys = Object.keys(value).sort();
    return keys.length === 2 && keys[0] === 'data' && keys[1] === 'sops';
  } catch {
    return false;
  }
}
