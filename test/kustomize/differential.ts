import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build, createDiskFs, KustomizeError, type ReorderOption } from '../../kustomize/index.ts';
import { runTool } from '../harness/run-tool.ts';

/** The directory holding one folder per differential case. */
export const casesDir = join(import.meta.dirname, 'cases');

/** One input tree of the corpus; `buildDir` is relative to the case root (`.` by default). */
export interface KustomizeCase {
  name: string;
  root: string;
  buildDir: string;
  loadRestrictor: 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone';
}

/** What one side produced: YAML on success, the message on failure. */
export type Outcome = { ok: true; yaml: string } | { ok: false; message: string };

/**
 * Lists the cases. A case may hold `case.json` with `buildDir` (to build a subfolder, so that
 * `../` paths stay inside the case) and `loadRestrictor`.
 */
export async function listCases(): Promise<KustomizeCase[]> {
  const names = (await readdir(casesDir)).sort();
  const cases: KustomizeCase[] = [];
  for (const name of names) {
    const root = join(casesDir, name);
    if (!(await stat(root)).isDirectory()) continue;
    const config = await readFile(join(root, 'case.json'), 'utf8').then(
      (text) => JSON.parse(text) as Partial<KustomizeCase>,
      () => ({}) as Partial<KustomizeCase>,
    );
    cases.push({
      name,
      root,
      buildDir: config.buildDir ?? '.',
      loadRestrictor: config.loadRestrictor ?? 'LoadRestrictionsRootOnly',
    });
  }
  return cases;
}

/** `kubectl kustomize` (kustomize v5.5.0), the oracle. */
export async function runKubectl(c: KustomizeCase, reorder: ReorderOption): Promise<Outcome> {
  const result = await runTool(
    'kubectl',
    ['kustomize', '--reorder', reorder, '--load-restrictor', c.loadRestrictor, c.buildDir],
    { cwd: c.root, timeoutMs: 60_000 },
  );
  const message = result.stderr
    .split('\n')
    .filter((line) => !line.startsWith('Flag --reorder has been deprecated'))
    .join('\n')
    .trim();
  return result.code === 0 ? { ok: true, yaml: result.stdout } : { ok: false, message };
}

/** Our engine on the same tree, with the case folder as the filesystem root. */
export async function runOurs(c: KustomizeCase, reorder: ReorderOption): Promise<Outcome> {
  const fs = await createDiskFs(c.root);
  try {
    const result = await build(fs, join('/', c.buildDir), {
      reorder,
      loadRestrictor: c.loadRestrictor,
    });
    return { ok: true, yaml: result.yaml };
  } catch (error) {
    if (error instanceof KustomizeError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
