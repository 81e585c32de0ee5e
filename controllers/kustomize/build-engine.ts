import type { Kustomization } from '../../api/index.ts';
import type { KeySourceContext } from './build/index.ts';

/** The unpacked artifact of a source, in memory. */
export interface ArtifactTree {
  readonly revision: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Keys read from the `spec.decryption.secretRef` Secret, and entries that fit no key name. */
export interface DecryptionKeys {
  readonly keySources: readonly unknown[];
  readonly unknownEntries: readonly string[];
}

/** A built manifest. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
};

export interface SourceArtifact {
  readonly url: string;
  readonly digest: string;
  readonly revision: string;
}

/**
 * The fetch/build/decrypt/substitute engine the reconciler composes (`./build/index.ts`).
 * Handed in rather than imported, so that the reconciler's own logic is tested without it.
 * Members are methods so that the engine's richer key types fit.
 */
export interface BuildEngine {
  /** Throws StepError ArtifactFailed. */
  fetchArtifact(
    artifact: SourceArtifact,
    options: { signal: AbortSignal; maxBytes?: number; timeoutMs?: number },
  ): Promise<ArtifactTree>;
  /** `context`: where cloud credentials come from when the Secret holds none. */
  decryptionKeysFromSecret(
    data: Readonly<Record<string, Uint8Array>>,
    context?: KeySourceContext,
  ): DecryptionKeys;
  /** Throws StepError BuildFailed / DecryptionFailed. */
  buildManifests(
    ks: Kustomization,
    tree: ArtifactTree,
    keys: DecryptionKeys | undefined,
    options: { signal: AbortSignal },
  ): Promise<KubeObject[]>;
  /** Throws StepError DecryptionFailed. */
  decryptObjects(
    objects: readonly KubeObject[],
    keys: DecryptionKeys | undefined,
  ): Promise<KubeObject[]>;
  /** Throws StepError BuildFailed. */
  substituteVariables(
    objects: readonly KubeObject[],
    variables: Readonly<Record<string, string>>,
    options?: { strict?: boolean },
  ): KubeObject[];
}
