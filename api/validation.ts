import { type GitRepository, GitRepositoryApi, gitRepositorySchema } from './git-repository.ts';
import { type Kustomization, KustomizationApi, kustomizationSchema } from './kustomization.ts';
import {
  type AnyNode,
  isPlainObject,
  type ValidateOptions,
  type ValidationIssue,
  type ValidationResult,
  validateNode,
} from './schema/index.ts';

interface Kind {
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * Validates an object of `kind` as the apiserver would with our CRD, and further requires what
 * our code relies on: the right apiVersion and kind, metadata.name and a spec.
 */
function validateObject<T>(
  kind: Kind,
  schema: AnyNode,
  value: unknown,
  options: ValidateOptions,
): ValidationResult<T> {
  if (!isPlainObject(value)) {
    return { ok: false, issues: [{ path: '', message: `must be a ${kind.kind} object` }] };
  }
  const issues: ValidationIssue[] = [];
  if (value.apiVersion !== kind.apiVersion) {
    issues.push({ path: 'apiVersion', message: `must be ${kind.apiVersion}` });
  }
  if (value.kind !== kind.kind) issues.push({ path: 'kind', message: `must be ${kind.kind}` });
  const metadata = value.metadata;
  if (!isPlainObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    issues.push({ path: 'metadata.name', message: 'required field is missing' });
  }
  if (value.spec === undefined || value.spec === null) {
    issues.push({ path: 'spec', message: 'required field is missing' });
  }
  issues.push(...validateNode(schema, value, '', options));
  return issues.length === 0 ? { ok: true, value: value as T } : { ok: false, issues };
}

/** Checks an untrusted value (a parsed file, a watch event) and types it as a GitRepository. */
export function validateGitRepository(
  value: unknown,
  options: ValidateOptions = {},
): ValidationResult<GitRepository> {
  return validateObject(GitRepositoryApi, gitRepositorySchema, value, options);
}

/** Checks an untrusted value (a parsed file, a watch event) and types it as a Kustomization. */
export function validateKustomization(
  value: unknown,
  options: ValidateOptions = {},
): ValidationResult<Kustomization> {
  return validateObject(KustomizationApi, kustomizationSchema, value, options);
}
