/**
 * The Kustomization controller: a reconcile reads like its status —
 * source → dependsOn → fetch → keys → build → decrypt → substitute → apply → prune → health →
 * report — each step a function in its own module throwing a StepError with a Flux reason.
 */
export type { BuildEngine } from './build-engine.ts';
export {
  objectLevelWorkloadIdentityGate,
  parseFeatureGates,
  setObjectLevelWorkloadIdentity,
} from './identity/index.ts';
export {
  buildEngine,
  createKustomizationController,
  type KustomizationControllerOptions,
  kustomizationType,
  kustomizeController,
} from './kustomization-controller.ts';
export {
  type KustomizationObject,
  KustomizationReconciler,
  type KustomizationReconcilerOptions,
} from './kustomization-reconciler.ts';
export { isStepError, StepError } from './step-error.ts';
