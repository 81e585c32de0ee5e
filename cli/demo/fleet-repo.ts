import { randomBytes } from 'node:crypto';
import { ageKeySource, type EncryptionRules, encryptFile } from '../../sops/index.ts';
import type { TestRepo } from '../../test/git/index.ts';

/** Where the demo's Kustomization points inside the fleet repo. */
export const FLEET_PATH = './apps/demo';
export const DEMO_NAMESPACE = 'demo';

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${DEMO_NAMESPACE}
resources:
  - namespace.yaml
  - deployment.yaml
  - secret.enc.yaml
patches:
  # SOPS-encrypted strategic merge patch: only the env values are encrypted.
  - path: deployment-env.enc.yaml
secretGenerator:
  # SOPS-encrypted dotenv file, decrypted in memory before the build.
  - name: db-credentials
    envs:
      - db.enc.env
`;

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: ${DEMO_NAMESPACE}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          envFrom:
            - secretRef:
                name: db-credentials
`;

/** Made-up secrets for the demo: random so that no two runs share them. */
function demoSecrets(): Record<string, string> {
  const random = () => randomBytes(6).toString('hex');
  return {
    apiToken: `tok-${random()}`,
    dbPassword: `pw-${random()}`,
    tlsPassphrase: `pass-${random()}`,
  };
}

/** Files as the fleet's owner writes them before encrypting; never committed in this form. */
function plaintextFiles(secrets: Record<string, string>): Record<string, string> {
  return {
    'secret.enc.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: api
type: Opaque
stringData:
  token: ${secrets.apiToken}
  tls-passphrase: ${secrets.tlsPassphrase}
`,
    'deployment-env.enc.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - name: API_TOKEN
              value: ${secrets.apiToken}
`,
    'db.enc.env': `DB_USER=app\nDB_PASSWORD=${secrets.dbPassword}\n`,
  };
}

const RULES: Record<string, EncryptionRules> = {
  'secret.enc.yaml': { encrypted_regex: '^(data|stringData)$' },
  'deployment-env.enc.yaml': { encrypted_regex: '^value$' },
  'db.enc.env': {},
};

/**
 * Commits the demo fleet: a plain Deployment and Namespace, an age-encrypted Secret, an
 * encrypted patch and an encrypted secretGenerator env file, all encrypted with kustodian's
 * own SOPS engine for `recipient` (files that the real sops decrypts as well).
 */
export async function commitDemoFleet(repo: TestRepo, recipient: string): Promise<string> {
  const files: Record<string, string> = {
    'apps/demo/kustomization.yaml': KUSTOMIZATION,
    'apps/demo/namespace.yaml': NAMESPACE,
    'apps/demo/deployment.yaml': DEPLOYMENT,
    '.sops.yaml': `creation_rules:\n  - age: ${recipient}\n`,
  };
  for (const [name, text] of Object.entries(plaintextFiles(demoSecrets()))) {
    const encrypted = await encryptFile(Buffer.from(text), {
      path: name,
      keyGroups: [[{ type: 'age', id: recipient }]],
      rules: RULES[name] ?? {},
      keySources: [ageKeySource()],
    });
    files[`apps/demo/${name}`] = Buffer.from(encrypted).toString('utf8');
  }
  return repo.commit(files, 'Demo fleet: web app with SOPS-encrypted secrets');
}
