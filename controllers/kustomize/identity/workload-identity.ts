import type { KubeTransport } from '../../apply/index.ts';
import {
  type AwsCredentials,
  assumeRoleWithWebIdentity,
  awsRoleArn,
  awsRoleSessionName,
  awsStsAudience,
} from './aws-web-identity.ts';
import {
  type AzureWorkloadIdentity,
  azureTokenExchangeAudience,
  azureWorkloadIdentity,
} from './azure-workload-identity.ts';
import { exchangeGcpToken, gcpWorkloadIdentity } from './gcp-workload-identity.ts';
import { readServiceAccount, requestServiceAccountToken } from './service-account-token.ts';

/** Flux's feature gate for `spec.decryption.serviceAccountName` (opt-in, as in Flux 2.6+). */
export const objectLevelWorkloadIdentityGate = 'ObjectLevelWorkloadIdentity';

let objectLevelEnabled = false;

/**
 * Sets the process-wide default of the gate, as Flux's `auth.EnableObjectLevelWorkloadIdentity`
 * does from `--feature-gates` at start-up. Reconcilers may still override it in their settings.
 */
export function setObjectLevelWorkloadIdentity(enabled: boolean): void {
  objectLevelEnabled = enabled;
}

export function isObjectLevelWorkloadIdentityEnabled(): boolean {
  return objectLevelEnabled;
}

/** Controller settings for object-level workload identity. */
export interface WorkloadIdentitySettings {
  /** `--feature-gates=ObjectLevelWorkloadIdentity=true`; the process-wide gate when unset. */
  readonly objectLevel?: boolean;
  /** AWS STS endpoint override; `AWS_ENDPOINT_URL_STS` when unset, else the regional one. */
  readonly awsStsEndpoint?: string;
  /** Google STS and IAM Credentials base URLs; Google's when unset. */
  readonly gcpStsEndpoint?: string;
  readonly gcpIamCredentialsEndpoint?: string;
  /** Bound on each token request and exchange. */
  readonly timeoutMs?: number;
}

/**
 * Credentials of one Kustomization's decryption ServiceAccount, per provider, obtained only
 * when a key of that provider is tried (as Flux does: an age-only fleet never asks).
 */
export interface ObjectIdentity {
  /** Temporary AWS credentials for a KMS key in `region`. */
  aws(region: string): Promise<AwsCredentials>;
  /** A Google access token (federated, or of the annotated Google service account). */
  gcp(): Promise<string>;
  /**
   * The Entra application of the ServiceAccount and a source of client assertions: fresh
   * ServiceAccount tokens for `api://AzureADTokenExchange`, which Entra exchanges.
   */
  azure(): Promise<AzureWorkloadIdentity & { assertion(): Promise<string> }>;
}

/**
 * The identity of `spec.decryption.serviceAccountName` in `namespace`: each call reads the
 * ServiceAccount (missing → refused by name), checks the feature gate (Flux checks it after the
 * lookup, so the same mistakes give the same reason), asks the TokenRequest API for a token
 * with the provider's audience and exchanges it. Results are kept for the rest of the run.
 */
export function objectIdentity(
  transport: KubeTransport,
  account: { namespace: string; name: string },
  settings: WorkloadIdentitySettings,
  signal?: AbortSignal,
): ObjectIdentity {
  const timeoutMs = settings.timeoutMs ?? 30_000;
  const awsByRegion = new Map<string, Promise<AwsCredentials>>();
  const checkedAccount = async () => {
    const sa = await readServiceAccount(transport, account.namespace, account.name, signal);
    if (!(settings.objectLevel ?? objectLevelEnabled)) {
      throw new Error(
        `${objectLevelWorkloadIdentityGate} feature gate is not enabled: spec.decryption.serviceAccountName '${account.name}' needs the controller flag --feature-gates=${objectLevelWorkloadIdentityGate}=true`,
      );
    }
    return sa;
  };
  const awsCredentials = async (region: string) => {
    const sa = await checkedAccount();
    const roleArn = awsRoleArn(sa);
    const webIdentityToken = await requestServiceAccountToken(transport, sa, {
      audiences: [awsStsAudience],
      ...(signal && { signal }),
    });
    const endpoint = settings.awsStsEndpoint ?? process.env.AWS_ENDPOINT_URL_STS;
    return assumeRoleWithWebIdentity({
      roleArn,
      roleSessionName: awsRoleSessionName(sa, region),
      webIdentityToken,
      region,
      ...(endpoint && { endpoint }),
      timeoutMs,
    });
  };
  let gcpToken: Promise<string> | undefined;
  const gcpAccessToken = async () => {
    const sa = await checkedAccount();
    const identity = gcpWorkloadIdentity(sa);
    const subjectToken = await requestServiceAccountToken(transport, sa, {
      audiences: [identity.audience],
      ...(signal && { signal }),
    });
    return exchangeGcpToken({
      subjectToken,
      identity,
      ...(settings.gcpStsEndpoint && { stsEndpoint: settings.gcpStsEndpoint }),
      ...(settings.gcpIamCredentialsEndpoint && {
        iamCredentialsEndpoint: settings.gcpIamCredentialsEndpoint,
      }),
      timeoutMs,
      ...(signal && { signal }),
    });
  };
  const azure = async () => {
    const sa = await checkedAccount();
    const identity = azureWorkloadIdentity(sa);
    const assertion = () =>
      requestServiceAccountToken(transport, sa, {
        audiences: [azureTokenExchangeAudience],
        ...(signal && { signal }),
      });
    return { ...identity, assertion };
  };
  return {
    azure,
    gcp() {
      if (gcpToken === undefined) {
        const pending = gcpAccessToken();
        pending.catch(() => {
          if (gcpToken === pending) gcpToken = undefined;
        });
        gcpToken = pending;
      }
      return gcpToken;
    },
    aws(region) {
      let pending = awsByRegion.get(region);
      if (pending === undefined) {
        pending = awsCredentials(region);
        // A failure is not kept: the next key (or the next run) asks again.
        pending.catch(() => awsByRegion.delete(region));
        awsByRegion.set(region, pending);
      }
      return pending;
    },
  };
}
