// Drops Node's code cache of its built-in modules from a startup snapshot blob, keeping the
// V8 heap with its compiled functions. Node offers two builds of a blob: with that code cache
// (and V8 keeping the bytecode of every function compiled while the snapshot was built), or
// without both. The cache is about 3.9 MiB of a 8.5 MiB blob, and Node reads and copies a blob
// whole at every start; the bytecode spares compiling our functions again at every run. Keeping
// the bytecode without the cache is faster than either build (sops decrypt CPU time: 78 ms
// without both, 74 ms with both, 69 ms like this).
//
// The blob is Node's own format (src/node_snapshotable.cc, SnapshotData::ToBlob, Node 24):
// little-endian; size_t fields are 8 bytes; a string is a size_t length and its bytes; a vector
// is a size_t count and its elements.
//   u32 magic · u8 type · string version · string arch · string platform · u32 flags
//   i32 length + bytes of the V8 startup data
//   isolate data: vector<size_t> · vector<PropInfo>          (PropInfo: string, u32, size_t)
//   environment: 4 x size_t · vector<size_t> (async hooks) · 3 x size_t (tick, immediate,
//     timeout) · 3 x size_t (performance) · 3 x size_t (exit, stream base, abort toggle)
//     · vector<string> · vector<PropInfo> · vector<PropInfo> · size_t (realm)
//   code cache: vector<{ string id, size_t length + bytes }>   <- replaced by an empty vector
// The reading must end exactly at the end of the blob, or nothing is changed; the caller also
// checks that Node starts from the result.

/**
 * Where the code cache starts in a blob and how many built-ins it holds; undefined when the blob
 * is not laid out as expected (another Node version, a damaged file).
 * @param {Buffer} blob
 * @returns {{ cacheStart: number, entries: number } | undefined}
 */
export function readCodeCacheLayout(blob) {
  let at = 0;
  const need = (bytes) => {
    if (at + bytes > blob.length) throw new RangeError('past the end of the blob');
  };
  const u32 = () => {
    need(4);
    at += 4;
    return blob.readUInt32LE(at - 4);
  };
  const size = () => {
    need(8);
    at += 8;
    const value = blob.readBigUInt64LE(at - 8);
    if (value > BigInt(blob.length)) throw new RangeError('size larger than the blob');
    return Number(value);
  };
  const skip = (bytes) => {
    need(bytes);
    at += bytes;
  };
  const string = () => skip(size());
  const vector = (element) => {
    for (let n = size(); n > 0; n--) element();
  };
  const propInfo = () => {
    string();
    u32();
    size();
  };
  try {
    if (u32() !== 0x0143da19) return undefined;
    skip(1);
    string();
    string();
    string();
    u32();
    need(4);
    const v8Length = blob.readInt32LE(at);
    at += 4;
    skip(v8Length);
    vector(size);
    vector(propInfo);
    for (let i = 0; i < 4; i++) size();
    vector(size);
    for (let i = 0; i < 9; i++) size();
    vector(string);
    vector(propInfo);
    vector(propInfo);
    size();
    const cacheStart = at;
    const entries = size();
    for (let n = entries; n > 0; n--) {
      string();
      skip(size());
    }
    return at === blob.length ? { cacheStart, entries } : undefined;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * @param {Buffer} blob
 * @returns {Buffer | undefined} the blob with an empty code cache, or undefined when it cannot
 *   be read as expected or has no cache to drop
 */
export function stripBuiltinCodeCache(blob) {
  const layout = readCodeCacheLayout(blob);
  if (layout === undefined || layout.entries === 0) return undefined;
  return Buffer.concat([blob.subarray(0, layout.cacheStart), Buffer.alloc(8)]);
}
