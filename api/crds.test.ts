import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCrdsCommand, renderCrdFiles } from './crd-files.ts';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

function readCommitted(path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

describe('generated CRDs', () => {
  it.each(renderCrdFiles().map((file) => ({ name: file.path, file })))(
    '$name matches the schemas in api/',
    ({ file }) => {
      const committed = readCommitted(file.path);
      const stale = committed !== file.content;
      expect(
        stale,
        `${file.path} is ${committed === undefined ? 'missing' : 'stale'}; run \`${generateCrdsCommand}\` and commit the result`,
      ).toBe(false);
    },
  );

  it.each([
    { name: 'GitRepository', file: 0, shortName: 'gitrepo', required: ['interval', 'url'] },
    {
      name: 'Kustomization',
      file: 1,
      shortName: 'ks',
      required: ['interval', 'prune', 'sourceRef'],
    },
  ])(
    '$name CRD carries Flux names, short name and required fields',
    ({ file, shortName, required }) => {
      const rendered = renderCrdFiles()[file];
      const crd = parse(rendered?.content ?? '');
      expect(crd.spec.names.shortNames).toEqual([shortName]);
      const version = crd.spec.versions[0];
      expect(version.subresources).toEqual({ status: {} });
      const root = version.schema.openAPIV3Schema;
      expect(root.properties.spec.required).toEqual(required);
      expect(root.properties.status.default).toEqual({ observedGeneration: -1 });
    },
  );
});
