import type { KStatus, KStatusResult } from './kstatus.ts';
import { isRecord, type KubeObject, parseApiVersion } from './kube-object.ts';

/** One entry of a Kustomization's `spec.healthCheckExprs` (Flux's `CustomHealthCheck`). */
export interface HealthCheckExpressions {
  readonly apiVersion: string;
  /** Empty or absent: every kind of the apiVersion's group. */
  readonly kind?: string;
  readonly current: string;
  readonly inProgress?: string;
  readonly failed?: string;
}

/** A spec whose expressions cannot be used: a parse error, a missing `current`, a duplicate kind. */
export class CelHealthError extends Error {
  readonly code = 'InvalidCELExpression';

  constructor(message: string) {
    super(message);
    this.name = 'CelHealthError';
  }
}

/** Assesses objects of the kinds the expressions name; `undefined` for any other kind. */
export interface CelStatusReader {
  statusOf(object: KubeObject): KStatusResult | undefined;
}

type Program = (context: Record<string, unknown>) => unknown;
type ExpressionName = 'inProgress' | 'failed' | 'current';

interface CompiledExpression {
  readonly name: ExpressionName;
  readonly source: string;
  readonly status: KStatus;
  readonly run: Program;
}

type CelModule = typeof import('@marcbachmann/cel-js');
let celModule: Promise<CelModule> | undefined;

// Loaded on first use: only a Kustomization with healthCheckExprs pays for the CEL engine.
function loadCel(): Promise<CelModule> {
  celModule ??= import('@marcbachmann/cel-js');
  return celModule;
}

/** Flux's order (RFC 0009): a true inProgress wins over failed, and failed over current. */
const evaluationOrder: readonly { name: ExpressionName; status: KStatus }[] = [
  { name: 'inProgress', status: 'InProgress' },
  { name: 'failed', status: 'Failed' },
  { name: 'current', status: 'Current' },
];

/**
 * Parses every expression up front, as Flux does before it reconciles, so a typo stops the run
 * before anything is applied. Throws CelHealthError naming the entry and the expression.
 * Returns `undefined` for no checks without loading the CEL engine.
 */
export async function compileHealthChecks(
  checks: readonly HealthCheckExpressions[],
): Promise<CelStatusReader | undefined> {
  if (checks.length === 0) return undefined;
  const { Environment } = await loadCel();
  // Flux parses without type-checking: CRDs need not have spec/status, so every top-level
  // field of the object is a variable of dynamic type.
  const env = new Environment({
    unlistedVariablesAreDyn: true,
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
  });
  const byGroupKind = new Map<string, readonly CompiledExpression[]>();
  checks.forEach((check, index) => {
    const where = `healthCheckExprs[${index}]`;
    const key = groupKindKey(check.apiVersion, check.kind ?? '');
    if (byGroupKind.has(key)) {
      throw new CelHealthError(`${where}: duplicate health check for ${describeKey(key)}`);
    }
    if (!check.current) throw new CelHealthError(`${where}: the current expression is required`);
    const compiled: CompiledExpression[] = [];
    for (const { name, status } of evaluationOrder) {
      const source = check[name];
      if (!source) continue;
      try {
        compiled.push({ name, source, status, run: env.parse(source) });
      } catch (error) {
        throw new CelHealthError(
          `${where}: invalid ${name} expression '${source}': ${firstLine(error)}`,
        );
      }
    }
    byGroupKind.set(key, compiled);
  });
  return {
    statusOf(object) {
      const { group } = parseApiVersion(object.apiVersion);
      // Flux polls Jobs with its own reader, which comes before the CEL one.
      if (group === 'batch' && object.kind === 'Job') return undefined;
      const expressions =
        byGroupKind.get(`${group}/${object.kind}`) ?? byGroupKind.get(`${group}/`);
      return expressions && evaluateStatus(expressions, object);
    },
  };
}

/**
 * Flux's StatusEvaluator: InProgress while status.observedGeneration (an integer) lags
 * metadata.generation; then the first true expression in evaluation order; InProgress when
 * none is true. An expression that cannot be evaluated (a missing field, a non-bool result)
 * leaves the object Unknown, so the wait goes on until it resolves or the timeout.
 */
function evaluateStatus(
  expressions: readonly CompiledExpression[],
  object: KubeObject,
): KStatusResult {
  const generation = object.metadata.generation;
  const observed = isRecord(object.status) ? object.status.observedGeneration : undefined;
  if (Number.isInteger(generation) && Number.isInteger(observed) && generation !== observed) {
    return {
      status: 'InProgress',
      message: `${object.kind} generation is ${generation}, but latest observed generation is ${observed}`,
    };
  }
  const context = toCelValue(object) as Record<string, unknown>;
  for (const expression of expressions) {
    let value: unknown;
    try {
      value = expression.run(context);
    } catch (error) {
      return {
        status: 'Unknown',
        message: `${expression.name} expression '${expression.source}' could not be evaluated: ${firstLine(error)}`,
      };
    }
    if (typeof value !== 'boolean') {
      return {
        status: 'Unknown',
        message: `${expression.name} expression '${expression.source}' did not return a bool`,
      };
    }
    if (value) {
      return { status: expression.status, message: `${expression.name} expression is true` };
    }
  }
  return { status: 'InProgress', message: 'no health check expression is true yet' };
}

/** JSON integers become CEL ints, as in Go's unstructured objects (int64); the rest stay doubles. */
function toCelValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCelValue(v)]));
  }
  return value;
}

function groupKindKey(apiVersion: string, kind: string): string {
  return `${parseApiVersion(apiVersion).group}/${kind}`;
}

function describeKey(key: string): string {
  const [group = '', kind = ''] = key.split('/');
  if (kind === '') return `every kind of group '${group}'`;
  return group === '' ? kind : `${kind}.${group}`;
}

// cel-js appends a source excerpt with a caret on the following lines; the first line says it.
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? message;
}
