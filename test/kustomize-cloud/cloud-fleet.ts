import type { Kustomization } from '../../api/index.ts';
import type { GcpKmsWireServer } from '../emulators/index.ts';
import { startTestEnv, type TestEnv } from '../harness/test-env.ts';
import {
  ArtifactFiles,
  condition,
  createKustomization,
  hasFailed,
  installCrds,
  isAppliedAt,
  setArtifact,
  waitForKustomization,
} from '../kustomize-controller/kustomize-env.ts';

/** A Secret manifest whose `password` must reach the cluster only through decryption. */
export function secretYaml(name: string, password: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${password}\n`;
}

/** A plain ConfigMap: published beside an encrypted Secret to show nothing is applied. */
export function configMapYaml(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "x"\n`;
}

/**
 * Environment for the real sops to reach the local GCP KMS wire-format server with its access
 * token only: no developer ADC (HOME points nowhere).
 */
export function gcpSopsEnv(gcp: GcpKmsWireServer): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent',
    ...gcp.env,
    GOOGLE_OAUTH_ACCESS_TOKEN: gcp.accessToken,
  };
}

/** Creates ServiceAccounts in the test namespace: name → annotations. */
export async function createServiceAccounts(
  env: TestEnv,
  accounts: Readonly<Record<string, Readonly<Record<string, string>>>>,
): Promise<void> {
  for (const [name, annotations] of Object.entries(accounts)) {
    await env.core.createNamespacedServiceAccount({
      namespace: env.namespace,
      body: { metadata: { name, annotations: { ...annotations } } },
    });
  }
}

/**
 * One test namespace with the Flux CRDs installed and a loopback artifact server: each
 * Kustomization gets a GitRepository of its own whose artifact holds the given files, as
 * source-controller would publish them.
 */
export class CloudFleet {
  readonly env: TestEnv;
  readonly #files: ArtifactFiles;

  private constructor(env: TestEnv, files: ArtifactFiles) {
    this.env = env;
    this.#files = files;
  }

  static async start(namespacePrefix: string): Promise<CloudFleet> {
    const env = await startTestEnv({ namespacePrefix });
    const [files] = await Promise.all([ArtifactFiles.start(), installCrds(env)]);
    return new CloudFleet(env, files);
  }

  /** Publishes `files` under `./` of a GitRepository `name` and points Kustomization `name` at it. */
  async publish(
    name: string,
    files: Record<string, string>,
    decryption: Record<string, unknown>,
  ): Promise<string> {
    const artifact = await this.#files.publish(files);
    await setArtifact(this.env, name, artifact);
    await createKustomization(this.env, name, {
      sourceRef: { kind: 'GitRepository', name },
      path: './',
      decryption: { provider: 'sops', ...decryption },
    } as never);
    return artifact.revision;
  }

  /** Waits until Kustomization `name` is Ready at `revision`. */
  waitApplied(name: string, revision: string): Promise<Kustomization> {
    return waitForKustomization(this.env, name, 'applied', isAppliedAt(revision));
  }

  /** Waits for Ready=False/DecryptionFailed and returns the Ready message. */
  async waitDecryptionFailed(name: string, timeoutMs?: number): Promise<string> {
    const failed = await waitForKustomization(
      this.env,
      name,
      'DecryptionFailed',
      hasFailed('DecryptionFailed'),
      timeoutMs,
    );
    return condition(failed, 'Ready')?.message ?? '';
  }

  async createSecret(name: string, stringData: Record<string, string>): Promise<void> {
    await this.env.core.createNamespacedSecret({
      namespace: this.env.namespace,
      body: { metadata: { name }, stringData },
    });
  }

  /** The decrypted `password` of Secret `name` as applied, or undefined when there is none. */
  async secretPassword(name: string): Promise<string | undefined> {
    const secret = await this.env.core
      .readNamespacedSecret({ name, namespace: this.env.namespace })
      .catch(() => undefined);
    const value = secret?.data?.password;
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  }

  async exists(kind: 'ConfigMap' | 'Secret', name: string): Promise<boolean> {
    const { core, namespace } = this.env;
    const read =
      kind === 'ConfigMap'
        ? core.readNamespacedConfigMap({ name, namespace })
        : core.readNamespacedSecret({ name, namespace });
    return read.then(
      () => true,
      () => false,
    );
  }

  async stop(): Promise<void> {
    await this.#files.stop();
    await this.env.stop();
  }
}
