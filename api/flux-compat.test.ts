import { describe, expect, it } from 'vitest';
import { gitRepositorySchema } from './git-repository.ts';
import { kustomizationSchema } from './kustomization.ts';
import { type AnyNode, type JsonValue, toOpenApi } from './schema/index.ts';

// Facts taken from Flux's v1 CRDs (source-controller and kustomize-controller). The staleness
// test only says the YAML is out of date; these rows say which change would break a fleet
// written for Flux.

type Json = { [key: string]: JsonValue };

function at(schema: AnyNode, path: string): Json {
  let node: JsonValue | undefined = toOpenApi(schema);
  for (const key of path.split('.')) {
    const object = node as Json;
    node = key === '[]' ? object.items : (object.properties as Json | undefined)?.[key];
    if (node === undefined) throw new Error(`no schema at ${path}`);
  }
  return node as Json;
}

const duration = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

describe('GitRepository schema keeps Flux facts', () => {
  it.each([
    { path: 'spec', want: { required: ['interval', 'url'] } },
    { path: 'spec.url', want: { pattern: '^(http|https|ssh)://.*$' } },
    { path: 'spec.interval', want: { pattern: duration } },
    { path: 'spec.timeout', want: { default: '60s', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$' } },
    { path: 'spec.provider', want: { enum: ['generic', 'aws', 'azure', 'github'] } },
    { path: 'spec.verify', want: { required: ['secretRef'] } },
    {
      path: 'spec.verify.mode',
      want: { default: 'HEAD', enum: ['head', 'HEAD', 'Tag', 'TagAndHEAD'] },
    },
    { path: 'spec.include.[]', want: { required: ['repository'] } },
    { path: 'status', want: { default: { observedGeneration: -1 } } },
    {
      path: 'status.artifact',
      want: { required: ['digest', 'lastUpdateTime', 'path', 'revision', 'url'] },
    },
    {
      path: 'status.conditions.[]',
      want: { required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'] },
    },
  ])('$path', ({ path, want }) => {
    expect(at(gitRepositorySchema, path)).toMatchObject(want);
  });
});

describe('Kustomization schema keeps Flux facts', () => {
  it.each([
    { path: 'spec', want: { required: ['interval', 'prune', 'sourceRef'] } },
    { path: 'spec.interval', want: { pattern: duration } },
    { path: 'spec.retryInterval', want: { pattern: duration } },
    { path: 'spec.timeout', want: { pattern: duration } },
    { path: 'spec.force', want: { default: false, type: 'boolean' } },
    {
      path: 'spec.deletionPolicy',
      want: { enum: ['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'] },
    },
    { path: 'spec.sourceRef', want: { required: ['kind', 'name'] } },
    {
      path: 'spec.sourceRef.kind',
      want: { enum: ['OCIRepository', 'GitRepository', 'Bucket', 'ExternalArtifact'] },
    },
    { path: 'spec.decryption.provider', want: { enum: ['sops'] } },
    { path: 'spec.targetNamespace', want: { maxLength: 63, minLength: 1 } },
    { path: 'spec.namePrefix', want: { maxLength: 200, minLength: 1 } },
    { path: 'spec.postBuild.substituteFrom.[]', want: { required: ['kind', 'name'] } },
    { path: 'spec.postBuild.substituteFrom.[].optional', want: { default: false } },
    { path: 'spec.postBuild.substituteStrategy', want: { enum: ['WithVariables', 'Always'] } },
    { path: 'spec.patches.[]', want: { required: ['patch'] } },
    { path: 'spec.images.[]', want: { required: ['name'] } },
    { path: 'spec.healthChecks.[]', want: { required: ['kind', 'name'] } },
    { path: 'spec.dependsOn.[]', want: { required: ['name'] } },
    { path: 'status', want: { default: { observedGeneration: -1 } } },
    { path: 'status.inventory', want: { required: ['entries'] } },
    { path: 'status.inventory.entries.[]', want: { required: ['id', 'v'] } },
  ])('$path', ({ path, want }) => {
    expect(at(kustomizationSchema, path)).toMatchObject(want);
  });
});
