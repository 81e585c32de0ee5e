import { execFile } from 'node:child_process';
import {
  type Artifact,
  ConditionType,
  type GitRepository,
  GitRepositoryApi,
  gitRepositoryTimeoutMs,
  gitVerificationMode,
  Reason,
} from '../../api/index.ts';
import { type KubeAccess, kubeRequest } from '../runtime/index.ts';
import { copyArtifactToPath, secureJoin } from './artifact-include.ts';
import type { ArtifactStorage, StoredArtifact } from './artifact-storage.ts';
import type { GitSecretData } from './git-auth.ts';
import { type CheckoutResult, checkoutRepository, type GitCheckout } from './git-checkout.ts';
import { includeFromPath, includeToPath } from './git-repository-content.ts';
import {
  checkoutFailure,
  SourceFailure,
  storageFailure,
  verificationFailure,
} from './git-repository-failure.ts';
import { verifySignatures } from './signature-verify.ts';

/** The steps of one GitRepository run. Each returns a value or throws a `SourceFailure`. */

interface SecretObject {
  data?: Record<string, string>;
}

/** Reads a Secret's data, decoded. The values never leave this process except to git. */
export async function readSecretData(
  kubeConfig: KubeAccess,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<Record<string, Buffer>> {
  const secret = await kubeRequest<SecretObject>(kubeConfig, {
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
    signal,
  });
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `spec.secretRef`: the credentials for the Git server, or undefined when none is named. */
export async function readAuthSecret(
  kubeConfig: KubeAccess,
  object: GitRepository,
  signal: AbortSignal,
): Promise<GitSecretData | undefined> {
  const { spec } = object;
  const namespace = object.metadata.namespace ?? '';
  if (spec.provider !== undefined && spec.provider !== 'generic') {
    throw new SourceFailure({
      reason: Reason.InvalidProviderConfiguration,
      condition: ConditionType.FetchFailed,
      kind: 'stalling',
      message: `provider '${spec.provider}' is not supported; use the generic provider with a secretRef`,
    });
  }
  if (spec.proxySecretRef !== undefined) {
    throw new SourceFailure({
      reason: Reason.AuthenticationFailed,
      condition: ConditionType.FetchFailed,
      message: `failed to configure proxy options: spec.proxySecretRef '${spec.proxySecretRef.name}' is not supported; set HTTPS_PROXY on the controller instead`,
    });
  }
  if (spec.secretRef === undefined) return undefined;
  const name = spec.secretRef.name;
  try {
    return await readSecretData(kubeConfig, namespace, name, signal);
  } catch (error) {
    throw new SourceFailure(
      {
        reason: Reason.AuthenticationFailed,
        condition: ConditionType.FetchFailed,
        message: `failed to get secret '${namespace}/${name}': ${messageOf(error)}`,
      },
      error,
    );
  }
}

/**
 * Flux's `fetchIncludes`: the artifacts of the included GitRepositories, in spec order. One that
 * is missing or has no artifact yet makes the run wait (IncludeUnavailable).
 */
export async function fetchIncludes(
  object: GitRepository,
  getRepository: (namespace: string, name: string) => Promise<GitRepository | undefined>,
  requeueAfterMs: number,
): Promise<Artifact[]> {
  const namespace = object.metadata.namespace ?? '';
  const artifacts: Artifact[] = [];
  for (const include of object.spec.include ?? []) {
    const name = include.repository.name;
    const included = await getRepository(namespace, name).catch((error: unknown) => {
      throw new IncludeWait(
        'NotFound',
        `could not get resource for include '${name}': ${messageOf(error)}`,
        requeueAfterMs,
      );
    });
    if (included === undefined) {
      throw new IncludeWait(
        'NotFound',
        `could not get resource for include '${name}': ${GitRepositoryApi.kind} '${namespace}/${name}' not found`,
        requeueAfterMs,
      );
    }
    const artifact = included.status?.artifact;
    if (artifact === undefined) {
      throw new IncludeWait(
        'NoArtifact',
        `no artifact available for include '${name}'`,
        requeueAfterMs,
      );
    }
    artifacts.push(artifact);
  }
  return artifacts;
}

/** An include is not there yet: wait and try again after `requeueAfterMs`. */
export class IncludeWait extends SourceFailure {
  readonly requeueAfterMs: number;
  constructor(reason: string, message: string, requeueAfterMs: number) {
    super({ reason, condition: ConditionType.IncludeUnavailable, kind: 'waiting', message });
    this.requeueAfterMs = requeueAfterMs;
  }
}

/** Checks the reference out into `dir`, or reports it unchanged since `lastObservedRevision`. */
export async function checkoutSource(
  object: GitRepository,
  secret: GitSecretData | undefined,
  dir: string,
  lastObservedRevision: string | undefined,
  signal: AbortSignal,
): Promise<CheckoutResult> {
  const { spec } = object;
  try {
    return await checkoutRepository({
      url: spec.url,
      reference: spec.ref,
      ...(secret !== undefined && { secret }),
      dir,
      ...(lastObservedRevision !== undefined && { lastObservedRevision }),
      sparseCheckout: spec.sparseCheckout,
      recurseSubmodules: spec.recurseSubmodules,
      timeoutMs: gitRepositoryTimeoutMs(object),
      signal,
    });
  } catch (error) {
    throw checkoutFailure(error);
  }
}

export interface Verification {
  readonly mode: 'HEAD' | 'Tag' | 'TagAndHEAD';
  readonly message: string;
}

/** `spec.verify`: checks the signatures of the checkout, or returns undefined when not asked. */
export async function verifySource(
  kubeConfig: KubeAccess,
  object: GitRepository,
  checkout: GitCheckout,
  signal: AbortSignal,
): Promise<Verification | undefined> {
  const verify = object.spec.verify;
  if (verify === undefined) return undefined;
  const namespace = object.metadata.namespace ?? '';
  let keyRings: Buffer[];
  try {
    keyRings = Object.values(
      await readSecretData(kubeConfig, namespace, verify.secretRef.name, signal),
    );
  } catch (error) {
    throw new SourceFailure(
      {
        reason: 'VerificationError',
        condition: ConditionType.SourceVerified,
        message: `PGP public keys secret error: ${messageOf(error)}`,
      },
      error,
    );
  }
  const mode = gitVerificationMode(verify.mode);
  try {
    const message = await verifySignatures({
      dir: checkout.dir,
      commit: checkout.commit,
      ...(checkout.tagRef !== undefined && { tagRef: checkout.tagRef }),
      mode,
      keyRings,
      signal,
    });
    return { mode, message };
  } catch (error) {
    throw verificationFailure(error);
  }
}

/** Flux's `reconcileInclude`: copies each included artifact (or its fromPath) into the checkout. */
export async function copyIncludes(
  object: GitRepository,
  includes: readonly Artifact[],
  storage: ArtifactStorage,
  dir: string,
): Promise<void> {
  const specIncludes = object.spec.include ?? [];
  for (const [index, include] of specIncludes.entries()) {
    const name = include.repository.name;
    const toPath = includeToPath(include);
    const fromPath = includeFromPath(include);
    try {
      await secureJoin(dir, toPath);
    } catch (error) {
      throw storageFailure(error, 'IllegalPath', `path calculation for include '${name}' failed`);
    }
    const artifact = includes[index];
    try {
      if (artifact === undefined) throw new Error('the included artifact is unknown');
      await copyArtifactToPath({
        artifactFile: storage.localPath(artifact.path),
        ...(fromPath !== '' && { fromPath }),
        targetRoot: dir,
        toPath,
      });
    } catch (error) {
      throw storageFailure(
        error,
        'CopyFailure',
        `failed to copy '${name}' include from ${fromPath} to ${toPath}`,
      );
    }
  }
}

/** Archives the checkout into storage under `<commit>.tar.gz`, honouring `spec.ignore`. */
export async function archiveSource(
  object: GitRepository,
  checkout: GitCheckout,
  storage: ArtifactStorage,
): Promise<StoredArtifact> {
  try {
    return await storage.archive({
      owner: ownerOf(object),
      revision: checkout.revision,
      fileName: `${checkout.commit}.tar.gz`,
      dir: checkout.dir,
      ...(object.spec.ignore !== undefined && { ignore: object.spec.ignore }),
    });
  } catch (error) {
    throw storageFailure(
      error,
      Reason.ArchiveOperationFailed,
      'unable to archive artifact to storage',
    );
  }
}

export function ownerOf(object: GitRepository) {
  return {
    kind: GitRepositoryApi.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name ?? '',
  };
}

/**
 * The first line of the commit message, cut at 50 characters as Flux's `ShortMessage`, for the
 * NewArtifact event. Read from the raw object so no git configuration of the checkout applies.
 */
export function readCommitSubject(dir: string, commit: string): Promise<string> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', LC_ALL: 'C' };
  return new Promise((resolve) => {
    execFile('git', ['cat-file', 'commit', commit], { cwd: dir, env }, (error, stdout) => {
      if (error) {
        resolve(commit);
        return;
      }
      const body = stdout.slice(stdout.indexOf('\n\n') + 2);
      const chars = [...(body.split('\n')[0] ?? '')];
      resolve(chars.length > 50 ? `${chars.slice(0, 50).join('')}...` : chars.join(''));
    });
  });
}
