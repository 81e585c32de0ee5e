/**
 * The data a resource holds once kustomize has turned it into JSON on the way out: Go's
 * `json.Marshal` of a yaml.v3 decode. Integers are `bigint` (int64/uint64 exactly), floats are
 * `number`, maps keep no order because the printer sorts their keys.
 */
export type JsonValue = null | boolean | string | bigint | number | JsonValue[] | JsonMap;
export type JsonMap = Map<string, JsonValue>;

export function isJsonMap(value: JsonValue): value is JsonMap {
  return value instanceof Map;
}
