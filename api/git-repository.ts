import type { CrdDefinition } from './crd.ts';
import {
  artifact,
  condition,
  durationHint,
  durationPattern,
  durationWithoutHoursPattern,
  lastHandledReconcileAt,
  localObjectReference,
  type ObjectMeta,
  typeMetaProperties,
  unobservedStatusDefault,
} from './meta.ts';
import { type Defaulted, type Input, s } from './schema/index.ts';

/** `source.toolkit.fluxcd.io/v1` GitRepository, field for field as Flux's source-controller. */
export const GitRepositoryApi = {
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  listKind: 'GitRepositoryList',
  plural: 'gitrepositories',
  singular: 'gitrepository',
} as const;

export const gitProviders = ['generic', 'aws', 'azure', 'github'] as const;
export type GitProvider = (typeof gitProviders)[number];

/** `head` is Flux's older spelling of `HEAD`, still accepted. */
export const gitVerificationModes = ['head', 'HEAD', 'Tag', 'TagAndHEAD'] as const;
export type GitVerificationMode = (typeof gitVerificationModes)[number];

export const gitRepositoryRef = s.object(
  {
    branch: s.string({ description: "Branch to follow; 'master' when no other field is set." }),
    tag: s.string({ description: 'Tag to check out; wins over semver and branch.' }),
    semver: s.string({
      description: 'SemVer range selecting the highest matching tag; wins over branch.',
    }),
    name: s.string({
      description:
        'Full Git reference such as refs/heads/main or refs/pull/1/head; wins over branch, tag and semver.',
    }),
    commit: s.string({
      description:
        'Commit SHA to check out; wins over every other field. With branch, the branch is fetched and must contain the commit.',
    }),
  },
  { description: "The Git reference to follow; the 'master' branch when empty." },
);
export type GitRepositoryRef = Input<typeof gitRepositoryRef>;

export const gitRepositoryVerification = s.object(
  {
    mode: s.enum(gitVerificationModes, {
      default: 'HEAD',
      description: 'What to verify: the HEAD commit, the tag, or both.',
    }),
    secretRef: s.describe(
      localObjectReference,
      'Secret holding trusted public keys: PGP keys under *.asc keys, SSH keys under *.sshpub keys.',
    ),
  },
  { description: 'Verification of commit and tag signatures.', required: ['secretRef'] },
);
export type GitRepositoryVerification = Input<typeof gitRepositoryVerification>;

export const gitRepositoryInclude = s.object(
  {
    repository: s.describe(
      localObjectReference,
      'The GitRepository whose artifact is copied into this one.',
    ),
    fromPath: s.string({
      description: 'Directory of the included artifact to copy; its root when empty.',
    }),
    toPath: s.string({
      description: 'Directory to copy to; the included GitRepository name when empty.',
    }),
  },
  {
    description: "Another GitRepository's artifact to include, and where to place it.",
    required: ['repository'],
  },
);
export type GitRepositoryInclude = Input<typeof gitRepositoryInclude>;

export const gitRepositorySpec = s.object(
  {
    url: s.string({
      description: 'Address of the repository: http://, https:// or ssh://.',
      pattern: '^(http|https|ssh)://.*$',
      patternHint: 'an http://, https:// or ssh:// URL',
    }),
    secretRef: s.describe(
      localObjectReference,
      'Secret with credentials: username and password or bearerToken for HTTPS, identity and known_hosts for SSH.',
    ),
    provider: s.enum(gitProviders, {
      description: 'How to authenticate: generic (the default), aws, azure or github.',
    }),
    serviceAccountName: s.string({
      description: 'ServiceAccount used to authenticate with the azure and aws providers.',
    }),
    interval: s.string({
      description: 'How often to look for new commits; jitter may be added.',
      pattern: durationPattern,
      patternHint: durationHint,
    }),
    timeout: s.string({
      default: '60s',
      description: 'Time limit for Git operations such as a clone.',
      pattern: durationWithoutHoursPattern,
      patternHint: 'a duration such as 30s or 2m,',
    }),
    ref: gitRepositoryRef,
    verify: gitRepositoryVerification,
    proxySecretRef: s.describe(
      localObjectReference,
      'Secret with the proxy settings for reaching the Git server.',
    ),
    ignore: s.string({
      description:
        'Paths to leave out of the artifact, in .gitignore format; replaces the defaults.',
    }),
    suspend: s.boolean({ description: 'Stop reconciling this GitRepository while true.' }),
    recurseSubmodules: s.boolean({ description: 'Clone the submodules too.' }),
    include: s.array(gitRepositoryInclude, {
      description: 'Other GitRepositories whose artifacts are copied into this artifact.',
    }),
    sparseCheckout: s.array(s.string(), {
      description: 'Directories to check out; only they end up in the artifact.',
    }),
  },
  {
    description: 'Where the repository is and how to turn it into an artifact.',
    required: ['interval', 'url'],
    validations: [
      {
        rule: "!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))",
        message: "serviceAccountName is only supported with provider 'azure' or 'aws'",
        holds: (spec) =>
          spec.serviceAccountName === undefined ||
          spec.provider === 'azure' ||
          spec.provider === 'aws',
      },
    ],
  },
);
export type GitRepositorySpec = Input<typeof gitRepositorySpec>;

export const gitRepositoryStatus = s.object(
  {
    observedGeneration: s.integer({
      description: 'The metadata.generation last reconciled.',
      format: 'int64',
    }),
    conditions: s.array(condition, { description: 'The observed state, one entry per aspect.' }),
    artifact: s.describe(artifact, 'The artifact of the last successful reconciliation.'),
    includedArtifacts: s.array(artifact, {
      description: 'The artifacts last included as spec.include asks.',
    }),
    observedIgnore: s.string({ description: 'The ignore patterns the artifact was built with.' }),
    observedRecurseSubmodules: s.boolean({
      description: 'Whether submodules were cloned for the artifact.',
    }),
    observedInclude: s.array(gitRepositoryInclude, {
      description: 'The includes the artifact was built with.',
    }),
    observedSparseCheckout: s.array(s.string(), {
      description: 'The sparse checkout directories the artifact was built with.',
    }),
    sourceVerificationMode: s.string({
      description: 'The verification mode last used to verify the source.',
    }),
    lastHandledReconcileAt,
  },
  { default: unobservedStatusDefault, description: 'The observed state of the GitRepository.' },
);
export type GitRepositoryStatus = Input<typeof gitRepositoryStatus>;

export const gitRepositorySchema = s.object(
  { ...typeMetaProperties, spec: gitRepositorySpec, status: gitRepositoryStatus },
  { description: 'A Git repository kept as an artifact, refreshed at an interval.' },
);

/** A GitRepository as a user writes it. */
export interface GitRepository {
  apiVersion: typeof GitRepositoryApi.apiVersion;
  kind: typeof GitRepositoryApi.kind;
  metadata: ObjectMeta;
  spec: GitRepositorySpec;
  status?: GitRepositoryStatus;
}

/** A GitRepository as the apiserver returns it, with the CRD's defaults filled in. */
export interface DefaultedGitRepository {
  apiVersion: typeof GitRepositoryApi.apiVersion;
  kind: typeof GitRepositoryApi.kind;
  metadata: ObjectMeta;
  spec: Defaulted<typeof gitRepositorySpec>;
  status: Defaulted<typeof gitRepositoryStatus>;
}

export const gitRepositoryCrd: CrdDefinition = {
  ...GitRepositoryApi,
  shortNames: ['gitrepo'],
  categories: ['all', 'fluxcd', 'fluxcd-sources'],
  printerColumns: [
    { name: 'URL', type: 'string', jsonPath: '.spec.url' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
  ],
  schema: gitRepositorySchema,
};
