import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { ageKeySource, encryptFile } from '../../sops/index.ts';

/** Where a warm-up fixture keeps its parts, relative to its directory. */
export const FIXTURE = {
  ageKeyFile: 'keys.txt',
  encryptedYaml: 'secrets.enc.yaml',
  overlay: 'tree/overlay',
} as const;

/** A plaintext of the shape sops users decrypt: maps, lists, every scalar type, comments. */
function plainYaml(): string {
  const lines = ['# settings of the warm-up'];
  for (let i = 0; i < 20; i++) {
    lines.push(`service${i}:`, `    name: value-${i}`, `    port: ${8000 + i}`);
    lines.push(`    ratio: ${i}.5`, `    enabled: ${i % 2 === 0}`, '    empty: ""');
    lines.push('    hosts:', `        - a${i}.example`, `        - b${i}.example`);
  }
  return `${lines.join('\n')}\n`;
}

const KUSTOMIZE_TREE: Record<string, string> = {
  'tree/base/kustomization.yaml': `resources:
- app.yaml
configMapGenerator:
- name: settings
  literals:
  - LOG_LEVEL=info
`,
  'tree/base/app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
      - name: main
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
---
apiVersion: v1
kind: Service
metadata:
  name: app
  labels:
    app: app
spec:
  selector:
    app: app
  ports:
  - port: 80
`,
  'tree/overlay/kustomization.yaml': `namePrefix: dev-
namespace: dev
commonLabels:
  env: dev
commonAnnotations:
  owner: team
images:
- name: nginx
  newTag: "1.26"
resources:
- ../base
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: app
    spec:
      template:
        spec:
          containers:
          - name: main
            resources:
              limits:
                memory: 64Mi
- target:
    kind: Service
  patch: |-
    - op: add
      path: /metadata/labels/patched
      value: "yes"
`,
};

/**
 * Writes the inputs the startup snapshot is warmed up on (see warm-up.ts) into `dir`: a
 * throwaway age key, a sops-encrypted YAML file and a small kustomize overlay. Encrypted here,
 * in the build process, never in the snapshot builder: encryption draws IVs from a random pool
 * that must not be frozen into the snapshot.
 */
export async function writeWarmUpFixture(dir: string): Promise<void> {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const encrypted = await encryptFile(Buffer.from(plainYaml()), {
    format: 'yaml',
    keySources: [ageKeySource([identity])],
    keyGroups: [[{ type: 'age', id: recipient }]],
  });
  const files: Record<string, string | Uint8Array> = {
    ...KUSTOMIZE_TREE,
    [FIXTURE.ageKeyFile]: `${identity}\n`,
    [FIXTURE.encryptedYaml]: encrypted,
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content, { mode: 0o600 });
  }
}
