import { describe, expect, it } from 'vitest';
import {
  defaultTransformerConfig,
  emptyTransformerConfig,
  mergeFieldSpecs,
  mergeTransformerConfig,
  parseTransformerConfig,
} from './transformer-config.ts';

describe('mergeFieldSpecs (kustomize FsSlice.MergeAll)', () => {
  it('skips a spec already covered by a more specific one', () => {
    const base = [{ path: 'metadata/labels', gvk: { kind: 'Deployment' }, create: true }];
    expect(
      mergeFieldSpecs(base, [{ path: 'metadata/labels', gvk: {}, create: true }]),
    ).toHaveLength(1);
  });
  it('adds a spec for another kind', () => {
    const base = [{ path: 'metadata/labels', gvk: {}, create: true }];
    expect(
      mergeFieldSpecs(base, [{ path: 'metadata/labels', gvk: { kind: 'X' }, create: true }]),
    ).toHaveLength(2);
  });
  it('merges the built-in tables into themselves without change (each kustomization level does)', () => {
    const once = mergeTransformerConfig(emptyTransformerConfig(), defaultTransformerConfig());
    expect(mergeTransformerConfig(once, defaultTransformerConfig())).toEqual(once);
    expect(once).toEqual(defaultTransformerConfig());
  });
  it('refuses a spec conflicting with a built-in one after the built-in tables were merged', () => {
    const merged = mergeTransformerConfig(emptyTransformerConfig(), defaultTransformerConfig());
    expect(() =>
      mergeFieldSpecs(merged.namePrefix, [{ path: 'metadata/name', gvk: {}, create: true }]),
    ).toThrow(/conflicting fieldspecs for path 'metadata\/name'/);
  });
  it('refuses the same spec with a different create flag', () => {
    const base = [{ path: 'a/b', gvk: { kind: 'X' }, create: true }];
    expect(() =>
      mergeFieldSpecs(base, [{ path: 'a/b', gvk: { kind: 'X' }, create: false }]),
    ).toThrow(/conflicting fieldspecs/);
  });
});

describe('configurations files', () => {
  it('add name references to an existing target and new ones', () => {
    const custom = parseTransformerConfig(
      'nameReference:\n- kind: ConfigMap\n  version: v1\n  fieldSpecs:\n  - path: spec/configRef\n    kind: Backup\n- kind: Widget\n  fieldSpecs:\n  - path: spec/widget\n',
      'config.yaml',
    );
    const merged = mergeTransformerConfig(defaultTransformerConfig(), custom);
    const configMap = merged.nameReference.find((r) => r.target.kind === 'ConfigMap');
    expect(configMap?.referrers.some((s) => s.path === 'spec/configRef')).toBe(true);
    expect(merged.nameReference.some((r) => r.target.kind === 'Widget')).toBe(true);
    expect(merged.nameReference.length).toBe(defaultTransformerConfig().nameReference.length + 1);
  });
  it('are decoded strictly, as kustomize does', () => {
    expect(() => parseTransformerConfig('unknownKey: []\n', 'config.yaml')).toThrow(
      /config.yaml: .*unknown field "unknownKey"/,
    );
  });
});
