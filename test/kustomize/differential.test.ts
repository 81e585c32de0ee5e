import { beforeAll, describe, expect, it } from 'vitest';
import type { ReorderOption } from '../../kustomize/index.ts';
import {
  type KustomizeCase,
  listCases,
  mapLimit,
  type Outcome,
  runKubectl,
  runOurs,
} from './differential.ts';

// The corpus compares our engine with `kubectl kustomize` (kustomize v5.5.0) in both orders:
// byte-identical output where kubectl succeeds, a KustomizeError where it fails.
const cases = await listCases();
const orders: ReorderOption[] = ['legacy', 'none'];
const oracle = new Map<string, Outcome>();

beforeAll(async () => {
  const jobs = cases.flatMap((c) => orders.map((reorder) => ({ c, reorder })));
  await mapLimit(jobs, 4, async ({ c, reorder }) => {
    oracle.set(`${c.name}/${reorder}`, await runKubectl(c, reorder));
  });
}, 300_000);

describe.each(orders)('kustomize corpus with --reorder %s', (reorder) => {
  it.each(cases.map((c) => ({ name: c.name, c })))(
    '$name matches kubectl kustomize',
    async ({ c }: { c: KustomizeCase }) => {
      const want = oracle.get(`${c.name}/${reorder}`);
      const got = await runOurs(c, reorder);
      if (want?.ok) {
        expect(got).toEqual(want);
      } else {
        expect(want).toBeDefined();
        expect(
          got.ok,
          `kubectl failed (${want?.ok === false ? want.message : ''}) but we succeeded`,
        ).toBe(false);
      }
    },
  );
});

it('the corpus is not empty', () => {
  expect(cases.length).toBeGreaterThan(50);
});
