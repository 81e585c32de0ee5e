// Writes manifests/crds/*.yaml from the schemas in api/. Run from the repository root:
//   npx node api/generate-crds.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from './crd-files.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const file of renderCrdFiles()) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  console.log(`wrote ${file.path}`);
}
