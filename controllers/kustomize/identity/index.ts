/**
 * Workload identity for SOPS decryption with cloud keys: a Kustomization's
 * `spec.decryption.serviceAccountName` becomes a short-lived ServiceAccount token (TokenRequest
 * API, provider audience) exchanged for provider credentials, as Flux's `pkg/auth` does.
 */
export {
  type AssumeRoleOptions,
  type AwsCredentials,
  assumeRoleWithWebIdentity,
  awsRoleArn,
  awsRoleSessionName,
  awsSdkCredentialProvider,
  awsStsAudience,
} from './aws-web-identity.ts';
export {
  type AzureWorkloadIdentity,
  azureTokenExchangeAudience,
  azureWorkloadIdentity,
} from './azure-workload-identity.ts';
export { parseFeatureGates } from './feature-gates.ts';
export {
  exchangeGcpToken,
  type GcpExchangeOptions,
  type GcpWorkloadIdentity,
  gcpWorkloadIdentity,
} from './gcp-workload-identity.ts';
export {
  readServiceAccount,
  requestServiceAccountToken,
  type ServiceAccountRef,
  ServiceAccountTokenError,
} from './service-account-token.ts';
export {
  isObjectLevelWorkloadIdentityEnabled,
  type ObjectIdentity,
  objectIdentity,
  objectLevelWorkloadIdentityGate,
  setObjectLevelWorkloadIdentity,
  type WorkloadIdentitySettings,
} from './workload-identity.ts';
