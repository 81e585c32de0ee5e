import { stringify } from 'yaml';
import { buildCrd, type CrdDefinition } from './crd.ts';
import { gitRepositoryCrd } from './git-repository.ts';
import { kustomizationCrd } from './kustomization.ts';

/** The command that rewrites the committed CRDs; quoted in the staleness test's failure. */
export const generateCrdsCommand = 'npx node api/generate-crds.ts';

export interface CrdFile {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly content: string;
}

const header = `# Generated from the TypeScript schemas in api/ by api/generate-crds.ts; do not edit.
# Regenerate with: ${generateCrdsCommand}
`;

function renderCrd(definition: CrdDefinition): CrdFile {
  const crd = buildCrd(definition);
  // lineWidth 0 keeps long descriptions and CEL rules on one line, so diffs stay readable.
  const body = stringify(crd, { lineWidth: 0, indentSeq: false });
  return {
    path: `manifests/crds/${definition.group}_${definition.plural}.yaml`,
    content: `${header}---\n${body}`,
  };
}

/** A kustomization.yaml listing the CRDs, so that `resources: [crds]` installs them all. */
function renderCrdKustomization(crds: readonly CrdFile[]): CrdFile {
  const resources = crds.map((crd) => crd.path.slice('manifests/crds/'.length));
  const body = stringify(
    { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources },
    { indentSeq: false },
  );
  return { path: 'manifests/crds/kustomization.yaml', content: `${header}${body}` };
}

/** Every CRD file kustodian ships, rendered from the schemas in memory. */
export function renderCrdFiles(): CrdFile[] {
  const crds = [gitRepositoryCrd, kustomizationCrd].map(renderCrd);
  return [...crds, renderCrdKustomization(crds)];
}
