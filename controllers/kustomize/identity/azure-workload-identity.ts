import type { ServiceAccountRef } from './service-account-token.ts';

/** The audience Entra expects in a federated Kubernetes token (Azure Workload Identity). */
export const azureTokenExchangeAudience = 'api://AzureADTokenExchange';

const tenantAnnotation = 'azure.workload.identity/tenant-id';
const clientAnnotation = 'azure.workload.identity/client-id';

/** The Entra application a ServiceAccount signs in as, from Azure Workload Identity's annotations. */
export interface AzureWorkloadIdentity {
  readonly tenantId: string;
  readonly clientId: string;
}

/** Reads both annotations, as Flux's `pkg/auth/azure` requires them. */
export function azureWorkloadIdentity(account: ServiceAccountRef): AzureWorkloadIdentity {
  const where = `service account '${account.namespace}/${account.name}'`;
  const tenantId = account.annotations[tenantAnnotation];
  if (!tenantId)
    throw new Error(`${where}: azure tenant ID is not set in the annotation ${tenantAnnotation}`);
  const clientId = account.annotations[clientAnnotation];
  if (!clientId)
    throw new Error(`${where}: azure client ID is not set in the annotation ${clientAnnotation}`);
  return { tenantId, clientId };
}
