import { describe, expect, it } from 'vitest';
import { s } from './builder.ts';
import { applyNodeDefaults } from './defaults.ts';
import { toOpenApi } from './openapi.ts';
import { validateNode } from './validate.ts';

const child = s.object(
  { size: s.integer({ default: 1, minimum: 0 }), label: s.string({ default: 'x' }) },
  { required: ['size'] },
);
const root = s.object(
  {
    name: s.string({ minLength: 1, maxLength: 3 }),
    mode: s.enum(['A', 'B'], { default: 'A' }),
    child,
    items: s.array(child),
    tags: s.map(s.string()),
  },
  {
    required: ['name'],
    validations: [
      {
        rule: "self.name != 'bad'",
        message: 'name must not be bad',
        holds: (v) => v.name !== 'bad',
      },
    ],
  },
);

describe('schema builder', () => {
  it('renders a structural OpenAPI schema with sorted properties and keys', () => {
    const openapi = toOpenApi(root);
    expect(Object.keys(openapi.properties as object)).toEqual([
      'child',
      'items',
      'mode',
      'name',
      'tags',
    ]);
    expect(openapi).toMatchObject({
      type: 'object',
      required: ['name'],
      'x-kubernetes-validations': [{ rule: "self.name != 'bad'", message: 'name must not be bad' }],
      properties: {
        mode: { type: 'string', enum: ['A', 'B'], default: 'A' },
        name: { type: 'string', minLength: 1, maxLength: 3 },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        items: { type: 'array', items: { type: 'object', required: ['size'] } },
      },
    });
  });

  it('defaults like the apiserver: only inside objects that exist, and null counts as absent', () => {
    const out = applyNodeDefaults(root, { name: 'a', mode: null, items: [{}] });
    expect(out).toEqual({ name: 'a', mode: 'A', items: [{ size: 1, label: 'x' }] });
  });

  it.each([
    { name: 'a valid value has no issues', input: { name: 'abc', child: { size: 2 } }, want: [] },
    { name: 'a missing required field', input: {}, want: ['name: required field is missing'] },
    {
      name: 'a too long string',
      input: { name: 'abcd' },
      want: ['name: must be at most 3 characters long'],
    },
    {
      name: 'a value outside the enum',
      input: { name: 'a', mode: 'C' },
      want: ['mode: must be one of A, B'],
    },
    {
      name: 'a negative integer',
      input: { name: 'a', child: { size: -1 } },
      want: ['child.size: must be at least 0'],
    },
    {
      name: 'a fractional integer',
      input: { name: 'a', child: { size: 1.5 } },
      want: ['child.size: must be an integer'],
    },
    {
      name: 'a list item',
      input: { name: 'a', items: [{ size: 1 }, {}] },
      want: ['items[1].size: required field is missing'],
    },
    {
      name: 'a map value of the wrong type',
      input: { name: 'a', tags: { x: 1 } },
      want: ['tags.x: must be a string'],
    },
    { name: 'an unknown field', input: { name: 'a', extra: 1 }, want: ['extra: unknown field'] },
    { name: 'a broken CEL rule', input: { name: 'bad' }, want: ['(root): name must not be bad'] },
  ])('$name', ({ input, want }) => {
    const issues = validateNode(root, input, '');
    expect(issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`)).toEqual(want);
  });
});
