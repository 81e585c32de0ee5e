import { isMap, isScalar } from 'yaml';
import { KustomizeError } from '../errors.ts';
import type { FieldVisit } from '../field-spec/field-path.ts';
import { setField, stringScalar } from '../resource/yaml-node.ts';

/** Sets string entries in the map a field spec reached (labels, annotations, selectors). */
export function setMapEntries(
  field: FieldVisit,
  entries: ReadonlyMap<string, string>,
  where: string,
): void {
  const map = field.node;
  if (isScalar(map) && map.value === null) return;
  if (!isMap(map)) {
    throw new KustomizeError(
      'InvalidResource',
      `${where}: expected a mapping node for labels or annotations`,
    );
  }
  for (const [key, value] of entries) setField(map, key, stringScalar(value));
}
