/**
 * The first steps of a Kustomization reconcile, as Flux's kustomize-controller runs them:
 * fetch the artifact, decrypt and build the manifests in memory, decrypt what the build left
 * encrypted, and substitute `postBuild` variables. Each step throws only a `StepError`.
 */
export { ArtifactCache } from './artifact-cache.ts';
export { buildManifests, type KubeObject } from './build-manifests.ts';
export { decryptObjects } from './decrypt-objects.ts';
export {
  type DecryptionKeys,
  decryptionKeysFromSecret,
  type KeyServiceOptions,
  type KeySourceContext,
} from './decryption-keys.ts';
export { type ArtifactTree, type FetchArtifactOptions, fetchArtifact } from './fetch-artifact.ts';
export {
  type SubstituteOptions,
  substituteAnnotation,
  substituteVariables,
} from './substitute-variables.ts';
