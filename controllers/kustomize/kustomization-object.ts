import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kustomization } from '../../api/index.ts';

/**
 * A Kustomization as the runtime handles it: our types write timestamps as the JSON strings
 * they are, client-node's metadata type calls them Dates.
 */
export type KustomizationObject = Kustomization & KubernetesObject;
