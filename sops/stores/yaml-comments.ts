import type { Comment } from '../tree.ts';
import type { RawComment, Slot } from './yaml-parse.ts';

/** Line and column of a source offset. */
export interface Positions {
  line(offset: number): number;
  column(offset: number): number;
}

interface Placed {
  offset: number;
  item: Comment;
}

/**
 * Places the comments of one document (in source order) into the branch whose root slot is
 * `root`, as go-yaml attaches them for sops: a trailing comment goes after the value it
 * follows on the same line, innermost collection first; a comment on a line of its own goes
 * into the deepest collection open at its offset whose column is at most the comment's.
 *
 * Each comment is placed against the slots as earlier comments left them (a comment already
 * placed ends the descent into the collection before it, as an item without children), but the
 * items are spliced in once at the end: splicing each comment into its collection as it was
 * placed cost quadratic time, minutes for a file of many comments.
 */
export function placeComments(
  root: Slot,
  comments: readonly RawComment[],
  positions: Positions,
): void {
  const placed = new Map<Slot, Placed[]>();
  // The largest offset placed in each collection: the last entry before any later comment.
  const lastPlaced = new Map<Slot, number>();
  const place = (slot: Slot, offset: number, item: Comment) => {
    const list = placed.get(slot);
    if (list) list.push({ offset, item });
    else placed.set(slot, [{ offset, item }]);
    lastPlaced.set(slot, Math.max(offset, lastPlaced.get(slot) ?? offset));
  };
  for (const c of comments) {
    const chain = chainAt(root, c.offset, lastPlaced);
    if (!c.fullLine && placeTrailing(chain, c, positions, place)) continue;
    const column = positions.column(c.offset);
    let chosen = chain[0] as Slot;
    for (const slot of chain)
      if (slot.column <= column && slot.column > chosen.column) chosen = slot;
    place(chosen, c.offset, { type: 'comment', value: c.text, inline: false });
  }
  for (const [slot, list] of placed) splice(slot, list);
}

/** After the last value that starts before the comment on its line; false when there is none. */
function placeTrailing(
  chain: readonly Slot[],
  c: RawComment,
  positions: Positions,
  place: (slot: Slot, offset: number, item: Comment) => void,
): boolean {
  const line = positions.line(c.offset);
  for (let i = chain.length - 1; i >= 0; i--) {
    const slot = chain[i] as Slot;
    // Offsets grow with lines, so only the last value before the comment can share its line;
    // placed comments sit on earlier lines and never qualify.
    const index = lastBefore(slot.offsets, c.offset);
    const offset = slot.offsets[index];
    if (offset === undefined || positions.line(offset) !== line) continue;
    place(slot, offset - 0.5, {
      type: 'comment',
      value: c.text,
      inline: slot.children[index] === undefined,
    });
    return true;
  }
  return false;
}

/**
 * The collections open at `offset`: from the root down through the last entry before it,
 * while that entry is a collection. A comment placed there is an entry without children.
 * Every comment placed so far starts before `offset` (they come in source order).
 */
function chainAt(root: Slot, offset: number, lastPlaced: ReadonlyMap<Slot, number>): Slot[] {
  const chain = [root];
  for (let slot: Slot | undefined = root; slot; ) {
    const index = lastBefore(slot.offsets, offset);
    const own = slot.offsets[index];
    if (own === undefined || (lastPlaced.get(slot) ?? own) > own) break;
    slot = slot.children[index];
    if (slot) chain.push(slot);
  }
  return chain;
}

/** Index of the last offset below `offset` in an ascending list; -1 when none is. */
function lastBefore(offsets: readonly number[], offset: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((offsets[mid] as number) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Merges the placed comments into the slot's collection (in place: the tree holds these
 * arrays): each after every entry whose offset is not above its own, comments with the same
 * offset in the order they were placed.
 */
function splice(slot: Slot, list: readonly Placed[]): void {
  const sorted = list
    .map((placed, order) => ({ placed, order }))
    .sort((a, b) => a.placed.offset - b.placed.offset || a.order - b.order);
  const items = slot.node.items as unknown[];
  const ownOffsets = slot.offsets.slice();
  const ownChildren = slot.children.slice();
  const ownItems = items.slice();
  slot.offsets.length = 0;
  slot.children.length = 0;
  items.length = 0;
  const push = (offset: number, child: Slot | undefined, item: unknown) => {
    slot.offsets.push(offset);
    slot.children.push(child);
    items.push(item);
  };
  let next = 0;
  for (let i = 0; i < ownOffsets.length; i++) {
    const own = ownOffsets[i] as number;
    for (; next < sorted.length && (sorted[next]?.placed.offset as number) < own; next++) {
      const placed = sorted[next]?.placed as Placed;
      push(placed.offset, undefined, placed.item);
    }
    push(own, ownChildren[i], ownItems[i]);
  }
  for (; next < sorted.length; next++) {
    const placed = sorted[next]?.placed as Placed;
    push(placed.offset, undefined, placed.item);
  }
}
