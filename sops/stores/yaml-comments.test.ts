import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/harness/seeded-random.ts';
import type { Comment } from '../tree.ts';
import { type Positions, placeComments } from './yaml-comments.ts';
import { readYamlLines } from './yaml-lines.ts';
import { Converter, parseYaml, type RawComment, type Slot } from './yaml-parse.ts';

// The reference: comments placed one at a time, each spliced into its collection at once, as
// yaml-parse.ts did before placeComments (correct, but quadratic in the number of comments).
function referencePlace(root: Slot, comments: readonly RawComment[], at: Positions): void {
  const insert = (slot: Slot, offset: number, item: Comment) => {
    let index = slot.offsets.findIndex((o) => o > offset);
    if (index === -1) index = slot.offsets.length;
    slot.offsets.splice(index, 0, offset);
    slot.children.splice(index, 0, undefined);
    (slot.node.items as unknown[]).splice(index, 0, item);
  };
  const chainAt = (offset: number) => {
    const chain = [root];
    for (let slot: Slot | undefined = root; slot; ) {
      let last = -1;
      slot.offsets.forEach((o, i) => {
        if (o < offset) last = i;
      });
      slot = last === -1 ? undefined : slot.children[last];
      if (slot) chain.push(slot);
    }
    return chain;
  };
  for (const c of comments) {
    const chain = chainAt(c.offset);
    let done = false;
    if (!c.fullLine) {
      const line = at.line(c.offset);
      for (let i = chain.length - 1; i >= 0 && !done; i--) {
        const slot = chain[i] as Slot;
        const index = slot.offsets.findLastIndex(
          (o, j) =>
            o < c.offset &&
            at.line(o) === line &&
            (slot.node.items[j] as Comment).type !== 'comment',
        );
        if (index === -1) continue;
        insert(slot, (slot.offsets[index] ?? 0) - 0.5, {
          type: 'comment',
          value: c.text,
          inline: slot.children[index] === undefined,
        });
        done = true;
      }
    }
    if (done) continue;
    const column = at.column(c.offset);
    let chosen = chain[0] as Slot;
    for (const slot of chain)
      if (slot.column <= column && slot.column > chosen.column) chosen = slot;
    insert(chosen, c.offset, { type: 'comment', value: c.text, inline: false });
  }
}

/** Both placements on fresh readings of `text`; undefined when the line reader declines it. */
function placeBoth(text: string) {
  const mine = readYamlLines(text);
  const reference = readYamlLines(text);
  if (!mine?.root || !reference?.root) return undefined;
  placeComments(mine.root, mine.comments, new Converter(text));
  referencePlace(reference.root, reference.comments, new Converter(text));
  return { mine: mine.branches, reference: reference.branches, comments: mine.comments.length };
}

/** A random block document with comments on their own lines (any column) and after values. */
function documentWithComments(next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const lines: string[] = [];
  const comment = (indent: number) => {
    if (next() < 0.35)
      lines.push(`${' '.repeat(pick([0, indent, indent + 2, 1]))}# c${lines.length}`);
  };
  const value = () => (next() < 0.3 ? `v${lines.length} # t${lines.length}` : `v${lines.length}`);
  const block = (indent: number, depth: number) => {
    const pad = ' '.repeat(indent);
    const count = 1 + Math.floor(next() * 4);
    const asSequence = depth > 0 && next() < 0.3;
    for (let i = 0; i < count; i++) {
      comment(indent);
      const nested = depth < 3 && next() < 0.35;
      if (asSequence) {
        if (nested) {
          lines.push(`${pad}- k${lines.length}: ${value()}`);
        } else lines.push(`${pad}- ${value()}`);
      } else if (nested) {
        lines.push(`${pad}k${lines.length}:${next() < 0.2 ? ` # h${lines.length}` : ''}`);
        block(indent + pick([2, 4]), depth + 1);
      } else lines.push(`${pad}k${lines.length}: ${value()}`);
    }
    comment(indent);
  };
  block(0, 0);
  return `${lines.join('\n')}\n`;
}

describe('placeComments', () => {
  it('places comments as one-at-a-time splicing did, on 2,000 generated documents', () => {
    const next = seededRandom(112026);
    let compared = 0;
    let comments = 0;
    for (let i = 0; i < 2000; i++) {
      const text = documentWithComments(next);
      const both = placeBoth(text);
      if (both === undefined) continue;
      expect(both.mine, text).toStrictEqual(both.reference);
      compared++;
      comments += both.comments;
    }
    // The generator must reach the placement, not only documents the reader declines.
    expect(compared).toBeGreaterThan(1500);
    expect(comments).toBeGreaterThan(5000);
  });

  it.each([
    { name: 'a comment after a nested block, indented like it', text: 'a:\n  b: 1\n  # c\nd: 2\n' },
    {
      name: 'a comment at column 0 then an indented one',
      text: 'a:\n  b: 1\n# c1\n  # c2\nd: 2\n',
    },
    {
      name: 'trailing comments on keys of collections',
      text: 'a: # t\n  b: 1 # u\n  c:\n  - x # v\n',
    },
    { name: 'comments before the first key and after the last', text: '# top\na: 1\n# end\n' },
  ])('$name', ({ text }) => {
    const both = placeBoth(text);
    expect(both).toBeDefined();
    expect(both?.mine).toStrictEqual(both?.reference);
  });

  it('keeps every comment of a file with 100,000 of them, in order', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(`# c${i}`, `k${i}:`, `    # d${i}`, `    v: ${i}`);
    const [branch] = parseYaml(Buffer.from(`${lines.join('\n')}\n`));
    const first = branch?.items.slice(0, 3);
    expect(first).toStrictEqual([
      { type: 'comment', value: ' c0', inline: false },
      {
        key: 'k0',
        value: {
          type: 'map',
          items: [
            { type: 'comment', value: ' d0', inline: false },
            { key: 'v', value: { type: 'int', value: 0n } },
          ],
        },
      },
      { type: 'comment', value: ' c1', inline: false },
    ]);
    expect(branch?.items).toHaveLength(100_000);
  });
});
