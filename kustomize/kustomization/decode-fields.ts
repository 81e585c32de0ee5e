import { KustomizeError } from '../errors.ts';

/**
 * Helpers that read a kustomization the way Go's `encoding/json` fills kustomize's structs:
 * unknown fields refused, field names matched exactly or else case-insensitively, the last of
 * duplicate keys winning, and a wrong type named with its file and key.
 */
export type RawObject = Record<string, unknown>;

export class FieldReader {
  private readonly values = new Map<string, unknown>();
  readonly where: string;

  constructor(raw: unknown, known: readonly string[], where: string) {
    this.where = where;
    if (raw === null || raw === undefined) return;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      throw new KustomizeError('InvalidKustomization', `${where}: expected a mapping`);
    }
    for (const [key, value] of Object.entries(raw as RawObject)) {
      const field = known.includes(key)
        ? key
        : known.find((k) => k.toLowerCase() === key.toLowerCase());
      if (field === undefined) {
        throw new KustomizeError(
          'InvalidKustomization',
          `${where}: invalid Kustomization: json: unknown field "${key}"`,
        );
      }
      this.values.set(field, value);
    }
  }

  has(key: string): boolean {
    const value = this.values.get(key);
    return value !== undefined && value !== null;
  }

  raw(key: string): unknown {
    return this.values.get(key) ?? undefined;
  }

  private fail(key: string, want: string): never {
    throw new KustomizeError(
      'InvalidKustomization',
      `${this.where}: field '${key}' must be ${want}`,
    );
  }

  string(key: string): string {
    const value = this.values.get(key);
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') this.fail(key, 'a string');
    return value;
  }

  boolean(key: string): boolean {
    const value = this.values.get(key);
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') this.fail(key, 'true or false');
    return value;
  }

  integer(key: string): bigint {
    const value = this.values.get(key);
    if (value === undefined || value === null) return 0n;
    if (typeof value === 'bigint') return value;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(key, 'an integer');
    return BigInt(value);
  }

  strings(key: string): string[] {
    const value = this.values.get(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      this.fail(key, 'a list of strings');
    return value as string[];
  }

  stringMap(key: string): Map<string, string> {
    const value = this.values.get(key);
    const result = new Map<string, string>();
    if (value === undefined || value === null) return result;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(key, 'a map of strings');
    for (const [k, v] of Object.entries(value as RawObject)) {
      if (typeof v !== 'string') {
        throw new KustomizeError(
          'InvalidKustomization',
          `${this.where}: value of '${key}.${k}' must be a string`,
        );
      }
      result.set(k, v);
    }
    return result;
  }

  list(key: string): unknown[] {
    const value = this.values.get(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(key, 'a list');
    return value;
  }
}
