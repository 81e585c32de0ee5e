/**
 * A small schema builder: each API type is written once as data, from which we derive the
 * static TypeScript types (`Input`, `Defaulted`), the CRD's OpenAPI v3 structural schema,
 * the apiserver's defaulting and a validator. Only the subset of OpenAPI that structural
 * CRD schemas allow is modelled.
 */

declare const phantom: unique symbol;

/** Type-level facts carried by a schema node; never present at run time. */
interface Phantom<TInput, TDefaulted, HasDefault extends boolean> {
  readonly input: TInput;
  readonly defaulted: TDefaulted;
  readonly hasDefault: HasDefault;
}

interface NodeBase<TInput, TDefaulted, HasDefault extends boolean> {
  readonly [phantom]?: Phantom<TInput, TDefaulted, HasDefault>;
  readonly description?: string;
}

export interface StringNode<T extends string = string, D extends boolean = boolean>
  extends NodeBase<T, T, D> {
  readonly kind: 'string';
  readonly pattern?: string;
  /** A hint for readers of the pattern, used in validation messages. */
  readonly patternHint?: string;
  readonly enum?: readonly T[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: 'date-time';
  readonly default?: T;
}

export interface BooleanNode<D extends boolean = boolean> extends NodeBase<boolean, boolean, D> {
  readonly kind: 'boolean';
  readonly default?: boolean;
}

export interface IntegerNode<D extends boolean = boolean> extends NodeBase<number, number, D> {
  readonly kind: 'integer';
  readonly format?: 'int32' | 'int64';
  readonly minimum?: number;
  readonly default?: number;
}

/** A CEL rule for the CRD, with the same rule in TypeScript for our own validator. */
export interface CelValidation<T> {
  readonly rule: string;
  readonly message: string;
  holds(value: T): boolean;
}

export type AnyNode =
  | StringNode
  | BooleanNode
  | IntegerNode
  | AnyObjectNode
  | ArrayNode<AnyNode>
  | MapNode<AnyNode>
  | OpaqueNode<unknown>;

export type Properties = { readonly [key: string]: AnyNode };

export type Input<N> = N extends NodeBase<infer T, unknown, boolean> ? T : never;
export type Defaulted<N> = N extends NodeBase<unknown, infer T, boolean> ? T : never;
export type HasDefault<N> = N extends NodeBase<unknown, unknown, infer D> ? D : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type DefaultedKeys<P extends Properties> = {
  [K in keyof P]: HasDefault<P[K]> extends true ? K : never;
}[keyof P];

export type ObjectInput<P extends Properties, R extends keyof P> = Simplify<
  { [K in R]: Input<P[K]> } & { [K in Exclude<keyof P, R>]?: Input<P[K]> }
>;

export type ObjectDefaulted<P extends Properties, R extends keyof P> = Simplify<
  { [K in R | DefaultedKeys<P>]: Defaulted<P[K]> } & {
    [K in Exclude<keyof P, R | DefaultedKeys<P>>]?: Defaulted<P[K]>;
  }
>;

/**
 * Any object node. Kept free of the key parameters so that a nested `s.object(...)` call does
 * not infer its required keys from the outer call's context.
 */
export interface AnyObjectNode extends NodeBase<unknown, unknown, boolean> {
  readonly kind: 'object';
  readonly properties: Properties;
  readonly required: readonly string[];
  readonly validations: readonly CelValidation<never>[];
  readonly default?: unknown;
}

export interface ObjectNode<P extends Properties, R extends keyof P & string, D extends boolean>
  extends NodeBase<ObjectInput<P, R>, ObjectDefaulted<P, R>, D> {
  readonly kind: 'object';
  readonly properties: P;
  readonly required: readonly R[];
  readonly validations: readonly CelValidation<ObjectInput<P, R>>[];
  readonly default?: unknown;
}

export interface ArrayNode<I extends AnyNode> extends NodeBase<Input<I>[], Defaulted<I>[], false> {
  readonly kind: 'array';
  readonly items: I;
}

/** An object with arbitrary keys (`additionalProperties`), such as labels. */
export interface MapNode<V extends AnyNode>
  extends NodeBase<Record<string, Input<V>>, Record<string, Defaulted<V>>, false> {
  readonly kind: 'map';
  readonly values: V;
}

/** An object whose contents the CRD does not describe, such as `metadata`. */
export interface OpaqueNode<T> extends NodeBase<T, T, false> {
  readonly kind: 'opaque';
}

interface Common {
  readonly description?: string;
}

type DefaultFlag<O> = O extends { readonly default: unknown } ? true : false;

export interface StringOptions<T extends string> extends Common {
  readonly pattern?: string;
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: 'date-time';
  readonly default?: T;
}

function string<const O extends StringOptions<string> = Record<never, never>>(
  options?: O,
): StringNode<string, DefaultFlag<O>> {
  return { kind: 'string', ...options };
}

function stringEnum<
  const T extends string,
  const O extends StringOptions<T> = Record<never, never>,
>(values: readonly T[], options?: O): StringNode<T, DefaultFlag<O>> {
  return { kind: 'string', enum: values, ...options };
}

function boolean<const O extends Common & { readonly default?: boolean } = Record<never, never>>(
  options?: O,
): BooleanNode<DefaultFlag<O>> {
  return { kind: 'boolean', ...options };
}

function integer<
  const O extends Common & {
    readonly format?: 'int32' | 'int64';
    readonly minimum?: number;
    readonly default?: number;
  } = Record<never, never>,
>(options?: O): IntegerNode<DefaultFlag<O>> {
  return { kind: 'integer', ...options };
}

interface ObjectOptions<P extends Properties, R extends keyof P & string> extends Common {
  readonly required?: readonly R[];
  readonly validations?: readonly CelValidation<ObjectInput<P, R>>[];
  readonly default?: unknown;
}

function object<const P extends Properties, const R extends keyof P & string = never>(
  properties: P,
  options: ObjectOptions<P, R> & { readonly default: unknown },
): ObjectNode<P, NoInfer<R>, true>;
function object<const P extends Properties, const R extends keyof P & string = never>(
  properties: P,
  options?: ObjectOptions<P, R>,
): ObjectNode<P, NoInfer<R>, false>;
function object<const P extends Properties, const R extends keyof P & string = never>(
  properties: P,
  options?: ObjectOptions<P, R>,
): ObjectNode<P, R, boolean> {
  const { required = [], validations = [], ...rest } = options ?? {};
  return { kind: 'object', properties, required, validations, ...rest };
}

function array<const I extends AnyNode>(items: I, options?: Common): ArrayNode<I> {
  return { kind: 'array', items, ...options };
}

function map<const V extends AnyNode>(values: V, options?: Common): MapNode<V> {
  return { kind: 'map', values, ...options };
}

function opaque<T>(options?: Common): OpaqueNode<T> {
  return { kind: 'opaque', ...options };
}

/** Gives a node another description, for a shared type used in several places. */
function describe<N extends AnyNode>(node: N, description: string): N {
  return { ...node, description };
}

export const s = {
  string,
  enum: stringEnum,
  boolean,
  integer,
  object,
  array,
  map,
  opaque,
  describe,
};
