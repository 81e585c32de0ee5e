import { Parser, type ReadEntry } from 'tar';

export interface UntarLimits {
  /** Most bytes of file content the archive may unpack to. */
  maxBytes: number;
  /** Most regular files the archive may hold. */
  maxFiles: number;
}

/** Why an archive was refused; the message names the entry, never its content. */
export class UntarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntarError';
  }
}

const regularFileTypes = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * A tar entry's path made relative to the archive root (`./a/b` → `a/b`), or an error for an
 * absolute path or one that climbs out with `..`: such an archive is hostile, not merely odd.
 */
export function cleanEntryPath(raw: string): string | undefined {
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw) || raw.includes('\\')) {
    throw new UntarError(`archive entry '${raw}' has an absolute or non-POSIX path`);
  }
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UntarError(`archive entry '${raw}' climbs out with '..'`);
  return parts.length === 0 ? undefined : parts.join('/');
}

/**
 * Unpacks a tar (gzip or plain) archive into memory: regular files only; directories are
 * implied, symlinks, hard links and devices are dropped (a symlink could point anywhere once
 * a build follows it). Bounded in total size and file count.
 */
export function untarToMemory(
  archive: Uint8Array,
  limits: UntarLimits,
): Promise<Map<string, Uint8Array>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Uint8Array>();
    let total = 0;
    let failed: Error | undefined;
    let parser: Parser | undefined;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = error instanceof Error ? error : new UntarError(String(error));
      reject(failed);
      // Stop decompressing: the rest of a refused archive is never read.
      parser?.abort(failed);
    };
    const onReadEntry = (entry: ReadEntry) => {
      if (failed || !regularFileTypes.has(entry.type)) {
        entry.resume();
        return;
      }
      let path: string | undefined;
      try {
        path = cleanEntryPath(entry.path);
      } catch (error) {
        fail(error);
      }
      if (path === undefined || failed) {
        entry.resume();
        return;
      }
      if (files.size + 1 > limits.maxFiles) {
        fail(new UntarError(`archive holds more than ${limits.maxFiles} files`));
        entry.resume();
        return;
      }
      const key = path;
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxBytes) {
          fail(new UntarError(`archive unpacks to more than ${limits.maxBytes} bytes`));
          return;
        }
        if (!failed) chunks.push(chunk);
      });
      entry.on('end', () => {
        if (!failed) files.set(key, new Uint8Array(Buffer.concat(chunks)));
      });
    };
    parser = new Parser({ strict: true, onReadEntry });
    parser.on('error', (error: Error) => fail(new UntarError(`invalid archive: ${error.message}`)));
    parser.on('end', () => {
      if (!failed) resolve(files);
    });
    try {
      parser.end(Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength));
    } catch (error) {
      fail(error);
    }
  });
}
