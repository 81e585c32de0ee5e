/** The bytes as UTF-8 text, decoded in place: `Buffer.from(bytes)` would copy them first. */
export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
