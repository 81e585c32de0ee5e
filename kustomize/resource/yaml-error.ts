import type { YAMLError } from 'yaml';

/**
 * A YAML parse error for a message: the parser's first line with any quoted source text cut
 * off (it can be a secret value), plus the line and column in `text`.
 */
export function describeYamlError(error: YAMLError, text: string): string {
  const first = (error.message.split('\n')[0] ?? '')
    .replace(/: ".*$/, '')
    .replace(/ at line \d+, column \d+$/, '');
  const offset = error.pos[0];
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${first} (line ${line}, column ${column})`;
}
