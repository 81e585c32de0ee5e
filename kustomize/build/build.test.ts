import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDiskFs } from '../fs/disk-fs.ts';
import { createMemoryFs } from '../fs/memory-fs.ts';
import { build } from './build.ts';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';

describe('build over an in-memory tree', () => {
  it('prints what kubectl kustomize prints for a generator with a prefix', async () => {
    const fs = createMemoryFs({
      'app/kustomization.yaml':
        'namePrefix: p-\nconfigMapGenerator:\n- name: web-config\n  literals:\n  - EXTRA=1\n  - LOG_LEVEL=info\n',
    });
    const result = await build(fs, '/app');
    // The hash kubectl kustomize gives for this data (name excluded from the hash, as in kustomize).
    expect(result.yaml).toBe(
      'apiVersion: v1\ndata:\n  EXTRA: "1"\n  LOG_LEVEL: info\nkind: ConfigMap\nmetadata:\n  name: p-web-config-4m99k87bkt\n',
    );
    expect(result.resources).toHaveLength(1);
  });

  it('keeps input order with reorder none and sorts kinds with legacy', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml': 'resources:\n- all.yaml\n',
      'all.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n',
    });
    expect((await build(fs, '/', { reorder: 'none' })).yaml.indexOf('Deployment')).toBeLessThan(
      (await build(fs, '/', { reorder: 'none' })).yaml.indexOf('Namespace'),
    );
    const legacy = (await build(fs, '/')).yaml;
    expect(legacy.indexOf('Namespace')).toBeLessThan(legacy.indexOf('Deployment'));
  });
});

describe('large generators', () => {
  it('build a ConfigMap of 50,000 env keys, sorted, each once', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `K${49_999 - i}=v${i}`);
    const fs = createMemoryFs({
      'kustomization.yaml': 'configMapGenerator:\n- name: big\n  envs:\n  - big.env\n',
      'big.env': `${lines.join('\n')}\n`,
    });
    const [resource] = (await build(fs, '/')).resources;
    const data = resource?.node.get('data') as { items: { key: { value: string } }[] };
    expect(data.items).toHaveLength(50_000);
    const keys = data.items.map((pair) => pair.key.value);
    expect(keys.slice(0, 3)).toEqual(['K0', 'K1', 'K10']);
    expect(new Set(keys).size).toBe(50_000);
  });

  it('merge a base generator of 20,000 keys with an overlay of 20,000 more', async () => {
    const literals = (prefix: string) =>
      Array.from({ length: 20_000 }, (_, i) => `  - ${prefix}${i}=v${i}\n`).join('');
    const fs = createMemoryFs({
      'base/kustomization.yaml': `configMapGenerator:\n- name: g\n  literals:\n${literals('a')}`,
      'kustomization.yaml': `resources:\n- base\nconfigMapGenerator:\n- name: g\n  behavior: merge\n  literals:\n${literals('b')}  - a7=changed\n`,
    });
    const { resources } = await build(fs, '/');
    expect(resources).toHaveLength(1);
    const data = resources[0]?.node.get('data') as { items: { key: { value: string } }[] };
    const keys = data.items.map((pair) => pair.key.value);
    expect(keys).toHaveLength(40_000);
    expect(keys.slice(0, 3)).toEqual(['a0', 'a1', 'a10']);
    expect(new Set(keys).size).toBe(40_000);
    expect(resources[0]?.node.getIn(['data', 'a7'])).toBe('changed');
  });

  it('build 8,000 generators each once, and refuse a repeated one', async () => {
    const generators = Array.from(
      { length: 8_000 },
      (_, i) => `- name: g${i}\n  literals:\n  - a=b\n`,
    );
    const fs = createMemoryFs({
      'kustomization.yaml': `configMapGenerator:\n${generators.join('')}`,
    });
    const { resources } = await build(fs, '/', { reorder: 'none' });
    const names = resources.map((r) => String(r.node.getIn(['metadata', 'name'])));
    expect(names).toHaveLength(8_000);
    expect(new Set(names).size).toBe(8_000);
    expect(names[0]).toMatch(/^g0-/);
    expect(names.at(-1)).toMatch(/^g7999-/);
    const repeated = createMemoryFs({
      'kustomization.yaml': `configMapGenerator:\n${generators.join('')}${generators[4]}`,
    });
    await expect(build(repeated, '/')).rejects.toThrow(/exists; behavior must be merge or replace/);
  });

  const manyFiles = (count: number): Record<string, string> => {
    const files: Record<string, string> = {
      'kustomization.yaml': `resources:\n${Array.from({ length: count }, (_, i) => `- r${i}.yaml\n`).join('')}`,
    };
    for (let i = 0; i < count; i++)
      files[`r${i}.yaml`] = configMap.replace('name: c', `name: c${i}`);
    return files;
  };

  it('build 20,000 resource files in listed order, each once', async () => {
    const { resources } = await build(createMemoryFs(manyFiles(20_000)), '/', { reorder: 'none' });
    const names = resources.map((r) => String(r.node.getIn(['metadata', 'name'])));
    expect(names).toHaveLength(20_000);
    expect(names.slice(0, 3)).toEqual(['c0', 'c1', 'c2']);
    expect(names.at(-1)).toBe('c19999');
  });

  it('refuses the last of 20,000 files when it repeats an earlier id', async () => {
    const files = manyFiles(20_000);
    files['r19999.yaml'] = configMap.replace('name: c', 'name: c7');
    await expect(build(createMemoryFs(files), '/')).rejects.toThrow(
      /may not add resource with an already registered id: .*c7/,
    );
  });
});

describe('remote bases', () => {
  const files = {
    'kustomization.yaml':
      'namePrefix: o-\nresources:\n- https://github.com/example/repo//base?ref=v1\n',
  };
  it('are built from the filesystem the fetcher returns', async () => {
    const remote = createMemoryFs({
      'repo/base/kustomization.yaml': 'resources:\n- cm.yaml\n',
      'repo/base/cm.yaml': configMap,
    });
    const urls: string[] = [];
    const result = await build(createMemoryFs(files), '/', {
      fetchRemote: async (url) => {
        urls.push(url);
        return { fs: remote, dir: '/repo/base' };
      },
    });
    expect(urls).toEqual(['https://github.com/example/repo//base?ref=v1']);
    expect(result.yaml).toContain('name: o-c\n');
  });
  it('are refused without a fetcher', async () => {
    await expect(build(createMemoryFs(files), '/')).rejects.toMatchObject({ code: 'NotSupported' });
  });
});

describe('secrets stay out of errors', () => {
  it('does not quote a malformed secretGenerator literal', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml': 'secretGenerator:\n- name: s\n  literals:\n  - hunter2-no-equals\n',
    });
    const error = await build(fs, '/').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InvalidKustomization' });
    expect(String(error)).toContain('literals[0]');
    expect(String(error)).not.toContain('hunter2');
  });
});

describe('YAML errors', () => {
  it('name the file and position but not the text', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml': 'resources:\n- bad.yaml\n',
      'bad.yaml': 'apiVersion: v1\nkind: Secret\n- s3cr3t-value\nb: c\n',
    });
    const error = await build(fs, '/').catch((e: unknown) => e);
    expect(String(error)).toMatch(/bad.yaml: invalid YAML: .*\(line \d+, column \d+\)/);
    expect(String(error)).not.toContain('s3cr3t');
  });
});

describe('cancellation', () => {
  it('stops when the signal is aborted', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml': 'resources:\n- cm.yaml\n',
      'cm.yaml': configMap,
    });
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(build(fs, '/', { signal: controller.signal })).rejects.toThrow('stop now');
  });
});

describe('bounded work on hostile input', () => {
  it.each([
    {
      name: 'an alias bomb ends in a limit error',
      files: {
        'kustomization.yaml': 'resources:\n- bomb.yaml\n',
        'bomb.yaml': [
          'apiVersion: v1',
          'kind: ConfigMap',
          'metadata:',
          '  name: bomb',
          'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
          ...'bcdefghij'
            .split('')
            .map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(',')}]`),
          'data: *j',
        ].join('\n'),
      },
      code: 'LimitExceeded',
    },
    {
      name: 'a kustomization including itself is refused',
      files: { 'kustomization.yaml': 'resources:\n- .\n' },
      code: 'InvalidKustomization',
    },
    {
      name: 'two kustomizations including each other are refused',
      files: {
        'a/kustomization.yaml': 'resources:\n- ../b\n',
        'b/kustomization.yaml': 'resources:\n- ../a\n',
      },
      dir: '/a',
      code: 'InvalidKustomization',
    },
    {
      name: 'a remote base is refused',
      files: {
        'kustomization.yaml': 'resources:\n- https://github.com/example/repo//base?ref=v1\n',
      },
      code: 'NotSupported',
    },
    {
      name: 'a Helm chart is refused',
      files: { 'kustomization.yaml': 'helmCharts:\n- name: x\n' },
      code: 'NotSupported',
    },
    {
      name: 'a file outside the kustomization root is refused under RootOnly',
      files: { 'app/kustomization.yaml': 'resources:\n- ../cm.yaml\n', 'cm.yaml': configMap },
      dir: '/app',
      code: 'SecurityViolation',
    },
  ])('$name', async ({ files, dir, code }) => {
    await expect(build(createMemoryFs(files), dir ?? '/')).rejects.toMatchObject({ code });
  });

  it('refuses a file larger than the limit', async () => {
    const fs = createMemoryFs({
      'kustomization.yaml': 'resources:\n- big.yaml\n',
      'big.yaml': `${configMap}#${'x'.repeat(2000)}\n`,
    });
    await expect(build(fs, '/', { limits: { maxFileBytes: 1000 } })).rejects.toMatchObject({
      code: 'LimitExceeded',
    });
  });

  it('refuses more kustomizations than the limit', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`k${i}/kustomization.yaml`] = `resources:\n- ../k${i + 1}\n`;
    files['k20/kustomization.yaml'] = 'resources:\n- cm.yaml\n';
    files['k20/cm.yaml'] = configMap;
    await expect(build(createMemoryFs(files), '/k0', { maxTargets: 10 })).rejects.toMatchObject({
      code: 'LimitExceeded',
    });
    await expect(build(createMemoryFs(files), '/k0')).resolves.toMatchObject({ resources: [{}] });
  });
});

describe('build over a disk tree', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a symlink that leaves the root even with LoadRestrictionsNone', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'kustodian-build-'));
    dirs.push(outside);
    await mkdir(join(outside, 'root'));
    await writeFile(join(outside, 'secret.yaml'), configMap);
    await writeFile(join(outside, 'root', 'kustomization.yaml'), 'resources:\n- link.yaml\n');
    await symlink(join(outside, 'secret.yaml'), join(outside, 'root', 'link.yaml'));
    const fs = await createDiskFs(join(outside, 'root'));
    const error = await build(fs, '/', { loadRestrictor: 'LoadRestrictionsNone' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'SecurityViolation' });
    expect(String(error)).not.toContain('name: c');
  });
});
