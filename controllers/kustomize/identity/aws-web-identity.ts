import type { ServiceAccountRef } from './service-account-token.ts';

/** Temporary AWS credentials, as the AWS SDK's credential providers return them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** The audience AWS STS expects in a Kubernetes ServiceAccount token (Flux: `pkg/auth/aws`). */
export const awsStsAudience = 'sts.amazonaws.com';

const roleArnAnnotation = 'eks.amazonaws.com/role-arn';
// Flux's pattern for the annotation, so that the same ServiceAccounts pass and fail.
const roleArnPattern = /^arn:aws[\w-]*:iam::[0-9]{1,30}:role\/.{1,200}$/;

/** The IAM role of a ServiceAccount, from IRSA's annotation; refused as Flux refuses it. */
export function awsRoleArn(account: ServiceAccountRef): string {
  const arn = account.annotations[roleArnAnnotation] ?? '';
  if (!roleArnPattern.test(arn)) {
    throw new Error(
      `service account '${account.namespace}/${account.name}': invalid ${roleArnAnnotation} annotation: '${arn}'; it must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  }
  return arn;
}

/** Flux's session name: who asked, from where; shows up in CloudTrail. */
export function awsRoleSessionName(account: ServiceAccountRef, region: string): string {
  return `${account.name}.${account.namespace}.${region}.fluxcd.io`;
}

export interface AssumeRoleOptions {
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** The ServiceAccount token; sent to STS only. */
  readonly webIdentityToken: string;
  /** STS region: the KMS key's, as Flux takes it. */
  readonly region: string;
  /** STS endpoint override (tests, private endpoints); the regional endpoint otherwise. */
  readonly endpoint?: string;
  readonly timeoutMs: number;
}

/**
 * Exchanges a ServiceAccount token for temporary credentials with STS
 * `AssumeRoleWithWebIdentity`, through the AWS SDK's web-identity provider (loaded only when
 * used). The call is bounded by `timeoutMs`, and errors name the role, never the token.
 */
export async function assumeRoleWithWebIdentity(
  options: AssumeRoleOptions,
): Promise<AwsCredentials> {
  const { fromWebToken } = await import('@aws-sdk/credential-provider-web-identity');
  const provider = fromWebToken({
    roleArn: options.roleArn,
    roleSessionName: options.roleSessionName,
    webIdentityToken: options.webIdentityToken,
    clientConfig: {
      region: options.region,
      maxAttempts: 2,
      ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  });
  try {
    const credentials = await Promise.race([provider(), timeout]);
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken !== undefined && { sessionToken: credentials.sessionToken }),
      ...(credentials.expiration !== undefined && { expiration: credentials.expiration }),
    };
  } catch (error) {
    throw new Error(
      `STS AssumeRoleWithWebIdentity for role '${options.roleArn}' failed: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** What the AWS SDK passes a credential provider: the calling client's resolved config. */
interface SdkIdentityProperties {
  readonly callerClientConfig?: { readonly region?: unknown };
}

/**
 * Adapts per-region credentials to an AWS SDK credential provider: the region is the calling
 * KMS client's (the key ARN's, which Flux also uses as the STS region), read from what the SDK
 * passes in; `AWS_REGION` or us-east-1 when a caller passes nothing.
 */
export function awsSdkCredentialProvider(
  credentialsFor: (region: string) => Promise<AwsCredentials>,
): (properties?: SdkIdentityProperties) => Promise<AwsCredentials> {
  return async (properties) => {
    const configured = properties?.callerClientConfig?.region;
    const region = typeof configured === 'function' ? await configured() : configured;
    return credentialsFor(
      typeof region === 'string' && region !== '' ? region : process.env.AWS_REGION || 'us-east-1',
    );
  };
}
