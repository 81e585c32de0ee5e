export type {
  AnyNode,
  CelValidation,
  Defaulted,
  Input,
  ObjectNode,
  Properties,
} from './builder.ts';
export { s } from './builder.ts';
export { applyNodeDefaults, isPlainObject } from './defaults.ts';
export type { JsonValue } from './openapi.ts';
export { toOpenApi } from './openapi.ts';
export type { ValidateOptions, ValidationIssue, ValidationResult } from './validate.ts';
export { formatIssues, validateNode } from './validate.ts';
