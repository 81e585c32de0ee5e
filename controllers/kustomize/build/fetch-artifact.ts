import { createHash } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { StepError } from '../step-error.ts';
import { UntarError, untarToMemory } from './untar.ts';

/** An unpacked artifact: paths relative to its root, `/`-separated. */
export interface ArtifactTree {
  readonly revision: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface FetchArtifactOptions {
  signal: AbortSignal;
  /** Most bytes to download (default 256 MiB); the unpacked content is bounded by 4× that. */
  maxBytes?: number;
  /** Most time the download may take (default 5 minutes). */
  timeoutMs?: number;
  /** Most files the archive may hold (default 100,000). */
  maxFiles?: number;
}

const defaultMaxBytes = 256 * 1024 * 1024;
const digestAlgorithms: Record<string, string> = {
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};

function artifactError(message: string, cause?: unknown): StepError {
  return new StepError('ArtifactFailed', message, { retryable: true, cause });
}

/**
 * Downloads a source artifact (`.tar.gz`), checks its digest (`<algo>:<hex>`, as the source
 * controller publishes it) and unpacks it into memory. Every failure is an `ArtifactFailed`
 * worth retrying: the source may be serving a newer artifact by then. When `signal` aborts,
 * its reason is thrown as is.
 */
export async function fetchArtifact(
  artifact: { url: string; digest: string; revision: string },
  options: FetchArtifactOptions,
): Promise<ArtifactTree> {
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const expected = parseDigest(artifact.digest);
  const bytes = await download(artifact.url, maxBytes, options);
  const actual = createHash(expected.algorithm).update(bytes).digest('hex');
  if (actual !== expected.hex) {
    throw artifactError(
      `failed to verify artifact from ${artifact.url}: computed digest ${expected.algorithm}:${actual} does not match ${artifact.digest}`,
    );
  }
  try {
    const files = await untarToMemory(bytes, {
      maxBytes: maxBytes * 4,
      maxFiles: options.maxFiles ?? 100_000,
    });
    return { revision: artifact.revision, files };
  } catch (error) {
    const reason = error instanceof UntarError ? error.message : String(error);
    throw artifactError(`failed to unpack artifact from ${artifact.url}: ${reason}`, error);
  }
}

function parseDigest(digest: string): { algorithm: string; hex: string } {
  const match = /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest);
  const algorithm = match?.[1] === undefined ? undefined : digestAlgorithms[match[1]];
  if (match?.[2] === undefined || algorithm === undefined) {
    throw artifactError(
      `artifact digest '${digest}' is not of the form sha256:<hex> (sha384 and sha512 accepted)`,
    );
  }
  return { algorithm, hex: match[2] };
}

async function download(
  url: string,
  maxBytes: number,
  options: FetchArtifactOptions,
): Promise<Uint8Array> {
  const signal = AbortSignal.any([
    options.signal,
    AbortSignal.timeout(options.timeoutMs ?? 5 * 60_000),
  ]);
  let response: IncomingMessage;
  try {
    response = await get(url, signal);
  } catch (error) {
    // A shutdown is not a failed artifact: let the caller see its own abort reason.
    options.signal.throwIfAborted();
    if (error instanceof StepError) throw error;
    throw artifactError(`failed to download artifact from ${url}: ${describe(error)}`, error);
  }
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    response.resume();
    throw artifactError(
      `failed to download artifact from ${url}: HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd(),
    );
  }
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) {
    response.destroy();
    throw artifactError(tooLarge(url, maxBytes));
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response) {
      total += (chunk as Buffer).byteLength;
      if (total > maxBytes) {
        response.destroy();
        throw artifactError(tooLarge(url, maxBytes));
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof StepError) throw error;
    options.signal.throwIfAborted();
    throw artifactError(`failed to download artifact from ${url}: ${describe(error)}`, error);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

const maxRedirects = 10;

/**
 * GET over node:http(s), following redirects. Not `fetch`: its HTTP stack (undici and its
 * WebAssembly parser) costs the long-running controller about 12 MiB of memory, for one
 * download per source revision.
 */
async function get(url: string, signal: AbortSignal, redirects = 0): Promise<IncomingMessage> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw artifactError(`artifact URL ${url} is not http or https`);
  }
  const send = target.protocol === 'https:' ? httpsGet : httpGet;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = send(target, { signal }, resolve);
    request.on('error', reject);
  });
  const location = response.headers.location;
  const status = response.statusCode ?? 0;
  if (status < 300 || status >= 400 || location === undefined) return response;
  response.resume();
  if (redirects >= maxRedirects) {
    throw artifactError(
      `failed to download artifact from ${url}: more than ${maxRedirects} redirects`,
    );
  }
  return get(new URL(location, target).toString(), signal, redirects + 1);
}

function tooLarge(url: string, maxBytes: number): string {
  return `artifact from ${url} is larger than the ${maxBytes} bytes allowed`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
