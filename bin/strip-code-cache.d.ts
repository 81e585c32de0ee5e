/** Types of strip-code-cache.js, for its tests. */
export function readCodeCacheLayout(
  blob: Buffer,
): { cacheStart: number; entries: number } | undefined;
export function stripBuiltinCodeCache(blob: Buffer): Buffer | undefined;
