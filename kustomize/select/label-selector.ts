/** A selector expression that does not parse (the message follows Kubernetes' wording). */
export class SelectorError extends Error {
  readonly code = 'InvalidSelector' as const;
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

/** One requirement of a parsed selector (Kubernetes `labels.Requirement`). */
export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

type Token =
  | { kind: 'id'; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'end'; text: '' };

const symbols = new Set(['=', '!', '(', ')', ',', '>', '<']);
const symbolTokens = new Set([')', ',', '!', '==', '=', '>', '<', '!=', '(']);
const whitespace = new Set([' ', '\t', '\r', '\n']);

/** Kubernetes' lexer: identifiers run until a symbol or whitespace; symbols are greedy. */
function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (true) {
    while (pos < text.length && whitespace.has(text[pos] ?? '')) pos++;
    if (pos >= text.length) break;
    if (symbols.has(text[pos] ?? '')) {
      let best = '';
      let buffer = '';
      while (pos < text.length && symbols.has(text[pos] ?? '')) {
        buffer += text[pos];
        if (symbolTokens.has(buffer)) best = buffer;
        else if (best !== '') break;
        pos++;
      }
      if (best === '') throw new SelectorError(`error expected: keyword found '${buffer}'`);
      tokens.push({ kind: 'op', text: best });
      continue;
    }
    const start = pos;
    while (pos < text.length && !symbols.has(text[pos] ?? '') && !whitespace.has(text[pos] ?? '')) {
      pos++;
    }
    tokens.push({ kind: 'id', text: text.slice(start, pos) });
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

const namePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateKey(key: string): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && dnsSubdomain.test(prefix));
  if (!prefixOk || key.split('/').length > 2 || name.length > 63 || !namePart.test(name)) {
    throw new SelectorError(`invalid label key "${key}"`);
  }
}

function validateValue(key: string, value: string): void {
  if (value !== '' && (value.length > 63 || !namePart.test(value))) {
    throw new SelectorError(`invalid label value: "${value}": at key: "${key}"`);
  }
}

/** The keywords `in`/`notin` read as identifiers where a value is expected. */
function isIdentifier(token: Token): boolean {
  return token.kind === 'id';
}

class Parser {
  readonly tokens: Token[];
  pos = 0;
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }
  peek(): Token {
    return this.tokens[this.pos] ?? { kind: 'end', text: '' };
  }
  next(): Token {
    const token = this.peek();
    this.pos++;
    return token;
  }
}

function parseValues(p: Parser): string[] {
  const open = p.next();
  if (open.text !== '(' || open.kind !== 'op')
    throw new SelectorError(`found '${open.text}' expected: '('`);
  const values = new Set<string>();
  if (p.peek().text === ')' && p.peek().kind === 'op') {
    p.next();
    return [''];
  }
  while (true) {
    const token = p.next();
    if (isIdentifier(token)) {
      values.add(token.text);
      const after = p.next();
      if (after.kind === 'op' && after.text === ')') return [...values];
      if (after.kind !== 'op' || after.text !== ',') {
        throw new SelectorError(`found '${after.text}', expected: ',' or ')'`);
      }
      if (p.peek().kind === 'op' && p.peek().text === ')') {
        p.next();
        values.add('');
        return [...values];
      }
    } else if (token.kind === 'op' && token.text === ',') {
      // `(,a)`, `(a,,b)` and `(a,)` each contribute an empty value, as in Kubernetes.
      values.add('');
      if (p.peek().kind === 'op' && p.peek().text === ')') {
        p.next();
        return [...values];
      }
    } else {
      throw new SelectorError(`found '${token.text}', expected: ',', or identifier`);
    }
  }
}

function parseRequirement(p: Parser): Requirement {
  let negated = false;
  let token = p.next();
  if (token.kind === 'op' && token.text === '!') {
    negated = true;
    token = p.next();
  }
  if (!isIdentifier(token)) throw new SelectorError(`found '${token.text}', expected: identifier`);
  const key = token.text;
  validateKey(key);
  const ahead = p.peek();
  if (ahead.kind === 'end' || (ahead.kind === 'op' && ahead.text === ',')) {
    return { key, operator: negated ? '!' : 'exists', values: [] };
  }
  if (negated) throw new SelectorError(`found '${ahead.text}', expected: ',' or 'end of string'`);
  const op = p.next();
  const operator =
    (['in', 'notin'].includes(op.text) && op.kind === 'id') || op.kind === 'op' ? op.text : '';
  if (!['in', 'notin', '=', '==', '!=', '>', '<'].includes(operator)) {
    throw new SelectorError(`found '${op.text}', expected: '=', '!=', '==', 'in', notin'`);
  }
  let values: string[];
  if (operator === 'in' || operator === 'notin') {
    values = parseValues(p);
  } else {
    const next = p.peek();
    if (next.kind === 'end' || (next.kind === 'op' && next.text === ',')) values = [''];
    else if (isIdentifier(p.next())) values = [next.text];
    else throw new SelectorError(`found '${next.text}', expected: identifier`);
  }
  if ((operator === '>' || operator === '<') && !/^[+-]?\d+$/.test(values[0] ?? '')) {
    throw new SelectorError(`for 'Gt', 'Lt' operators, the value must be an integer`);
  }
  for (const value of values) validateValue(key, value);
  return { key, operator: operator as Operator, values };
}

/**
 * Parses a Kubernetes label selector (`app=web,tier in (a,b),!legacy,env!=dev`), the syntax
 * of kustomize's `labelSelector` and `annotationSelector`. The empty string selects all.
 */
export function parseLabelSelector(text: string): Requirement[] {
  const p = new Parser(lex(text));
  const requirements: Requirement[] = [];
  while (p.peek().kind !== 'end') {
    const start = p.peek();
    if (!isIdentifier(start) && start.text !== '!') {
      throw new SelectorError(`found '${start.text}', expected: !, identifier, or 'end of string'`);
    }
    try {
      requirements.push(parseRequirement(p));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new SelectorError(`unable to parse requirement: ${message}`);
    }
    const after = p.next();
    if (after.kind === 'end') break;
    if (after.text !== ',' || after.kind !== 'op') {
      throw new SelectorError(`found '${after.text}', expected: ',' or 'end of string'`);
    }
    const ahead = p.peek();
    if (!isIdentifier(ahead) && ahead.text !== '!') {
      throw new SelectorError(`found '${ahead.text}', expected: identifier after ','`);
    }
  }
  return requirements;
}

/** Whether a set of labels (or annotations) satisfies every requirement. */
export function matchesRequirements(
  requirements: readonly Requirement[],
  labels: ReadonlyMap<string, string>,
): boolean {
  return requirements.every((r) => matchesRequirement(r, labels));
}

function matchesRequirement(r: Requirement, labels: ReadonlyMap<string, string>): boolean {
  const value = labels.get(r.key);
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case '>':
    case '<': {
      if (value === undefined || !/^[+-]?\d+$/.test(value)) return false;
      const have = BigInt(value);
      const want = BigInt(r.values[0] ?? '0');
      return r.operator === '>' ? have > want : have < want;
    }
  }
}
