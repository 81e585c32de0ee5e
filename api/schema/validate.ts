import type { AnyNode } from './builder.ts';
import { isPlainObject } from './defaults.ts';

/** One problem found in an object, at a dotted path such as `spec.sourceRef.kind`. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export interface ValidateOptions {
  /** Report fields the schema does not know (a typo such as `sourceref`); default true. */
  readonly rejectUnknownFields?: boolean;
}

// RFC 3339 as the apiserver accepts it for `format: date-time`.
const dateTimePattern = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const compiledPatterns = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regexp = compiledPatterns.get(pattern);
  if (regexp === undefined) {
    regexp = new RegExp(pattern);
    compiledPatterns.set(pattern, regexp);
  }
  return regexp;
}

/**
 * Checks a value against a schema node as the apiserver would for a CRD, including the CEL
 * rules (through their TypeScript twins). Messages describe what is expected and never echo
 * the value: a URL may carry credentials.
 */
export function validateNode(
  node: AnyNode,
  value: unknown,
  path: string,
  options: ValidateOptions = {},
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  visit(node, value, path, options.rejectUnknownFields ?? true, issues);
  return issues;
}

function visit(
  node: AnyNode,
  value: unknown,
  path: string,
  rejectUnknown: boolean,
  issues: ValidationIssue[],
): void {
  const fail = (message: string) => issues.push({ path, message });
  switch (node.kind) {
    case 'string': {
      if (typeof value !== 'string') return void fail('must be a string');
      if (node.enum !== undefined && !node.enum.includes(value)) {
        return void fail(`must be one of ${node.enum.join(', ')}`);
      }
      if (node.minLength !== undefined && [...value].length < node.minLength) {
        fail(`must be at least ${node.minLength} characters long`);
      }
      if (node.maxLength !== undefined && [...value].length > node.maxLength) {
        fail(`must be at most ${node.maxLength} characters long`);
      }
      if (node.pattern !== undefined && !compile(node.pattern).test(value)) {
        const hint = node.patternHint === undefined ? '' : `${node.patternHint} `;
        fail(`must be ${hint}matching ${node.pattern}`);
      }
      if (node.format === 'date-time' && !dateTimePattern.test(value)) {
        fail('must be an RFC 3339 date-time such as 2024-01-02T15:04:05Z');
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('must be a boolean');
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return void fail('must be an integer');
      }
      if (node.minimum !== undefined && value < node.minimum) {
        fail(`must be at least ${node.minimum}`);
      }
      return;
    case 'opaque':
      if (!isPlainObject(value)) fail('must be an object');
      return;
    case 'array':
      if (!Array.isArray(value)) return void fail('must be a list');
      value.forEach((item, index) => {
        visit(node.items, item, `${path}[${index}]`, rejectUnknown, issues);
      });
      return;
    case 'map':
      if (!isPlainObject(value)) return void fail('must be a map');
      for (const [key, child] of Object.entries(value)) {
        visit(node.values, child, `${path}.${key}`, rejectUnknown, issues);
      }
      return;
    case 'object': {
      if (!isPlainObject(value)) return void fail('must be an object');
      for (const key of node.required) {
        // The apiserver drops null values before validation, so null counts as missing.
        if (value[key] === undefined || value[key] === null) {
          issues.push({ path: join(path, key), message: 'required field is missing' });
        }
      }
      const before = issues.length;
      for (const [key, child] of Object.entries(value)) {
        const childNode = node.properties[key];
        if (childNode === undefined) {
          if (rejectUnknown) issues.push({ path: join(path, key), message: 'unknown field' });
        } else if (child !== null && child !== undefined) {
          visit(childNode, child, join(path, key), rejectUnknown, issues);
        }
      }
      // CEL rules see a well-typed object only, as on the apiserver.
      if (issues.length === before) {
        for (const validation of node.validations) {
          if (!validation.holds(value as never)) fail(validation.message);
        }
      }
      return;
    }
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Formats issues as one line per problem, for error messages and CLI output. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}
