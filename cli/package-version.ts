import { readFileSync } from 'node:fs';

/** Reads the version from package.json, which sits two levels above both `cli/` and `dist/cli/`. */
export function readPackageVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const text = readFileSync(new URL(candidate, import.meta.url), 'utf8');
      const parsed: unknown = JSON.parse(text);
      if (isNamedPackage(parsed) && parsed.name === 'kustodian') return parsed.version;
    } catch {
      // Not at this level; try the next one.
    }
  }
  return '0.0.0-unknown';
}

function isNamedPackage(value: unknown): value is { name: string; version: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).name === 'string' &&
    typeof (value as Record<string, unknown>).version === 'string'
  );
}
