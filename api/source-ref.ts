import type { Kustomization } from './kustomization.ts';

/** The source kinds kustodian serves; the CRD accepts Flux's others so manifests still apply. */
export const supportedSourceKinds = ['GitRepository'] as const;

export interface ResolvedSourceRef {
  readonly kind: 'GitRepository';
  readonly name: string;
  readonly namespace: string;
}

export type SourceRefResolution =
  | { readonly ok: true; readonly ref: ResolvedSourceRef }
  | {
      readonly ok: false;
      /** AccessDenied as Flux for blocked cross-namespace references; ArtifactFailed otherwise. */
      readonly reason: 'AccessDenied' | 'ArtifactFailed';
      readonly message: string;
    };

/**
 * Resolves a Kustomization's sourceRef: the namespace defaults to the Kustomization's own;
 * with `noCrossNamespaceRefs` (the `--no-cross-namespace-refs` flag) another namespace is
 * refused as Flux refuses it; kinds other than GitRepository are refused with a clear message.
 * Neither failure can be fixed by retrying, so callers should mark the object Stalled.
 */
export function resolveSourceRef(
  object: Kustomization,
  options: { readonly noCrossNamespaceRefs: boolean },
): SourceRefResolution {
  const ownNamespace = object.metadata.namespace ?? '';
  const { kind, name } = object.spec.sourceRef;
  const namespace = object.spec.sourceRef.namespace || ownNamespace;
  if (options.noCrossNamespaceRefs && namespace !== ownNamespace) {
    return {
      ok: false,
      reason: 'AccessDenied',
      message: `can't access '${kind}/${namespace}/${name}', cross-namespace references have been blocked`,
    };
  }
  if (kind !== 'GitRepository') {
    return {
      ok: false,
      reason: 'ArtifactFailed',
      message: `spec.sourceRef.kind ${kind} is not supported by kustodian; point sourceRef at a GitRepository`,
    };
  }
  return { ok: true, ref: { kind, name, namespace } };
}
