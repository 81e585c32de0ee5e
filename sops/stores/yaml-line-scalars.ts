// The scalar forms yaml-lines.ts reads within one line. A form or escape not handled here
// throws, and yaml-lines.ts leaves the file to the token paths.

/** Thrown for what the line reader does not take; never leaves yaml-lines.ts. */
const NOT_LINE_YAML = Symbol('not line YAML');

export function fail(): never {
  throw NOT_LINE_YAML;
}

export function isSpaces(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) if (text.charCodeAt(i) !== 0x20) return false;
  return true;
}

export function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `'…'` on one line (`''` is a quote); `end` is just past the closing quote. */
export function singleQuoted(text: string): { value: string; end: number } {
  let value = '';
  let from = 1;
  for (;;) {
    const quote = text.indexOf("'", from);
    if (quote === -1) fail();
    value += text.slice(from, quote);
    if (text.charCodeAt(quote + 1) !== 0x27) return { value, end: quote + 1 };
    value += "'";
    from = quote + 2;
  }
}

const ESCAPES: Record<string, string> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
};

/** `"…"` on one line with the common escapes; any other escape is not ours. */
export function doubleQuoted(text: string): { value: string; end: number } {
  let value = '';
  let from = 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) fail();
    const slash = text.indexOf('\\', from);
    if (slash === -1 || slash > quote) {
      return { value: value + text.slice(from, quote), end: quote + 1 };
    }
    const escaped = ESCAPES[text[slash + 1] ?? ''] ?? fail();
    value += text.slice(from, slash) + escaped;
    from = slash + 2;
  }
}
