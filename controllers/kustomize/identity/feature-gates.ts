/**
 * Reads Flux's `--feature-gates` value, `Name=true,Other=false` (Go's `map[string]bool` flag
 * syntax). Throws on a malformed pair, naming it; names are not checked here, so that gates
 * meant for Flux's other controllers in a shared manifest do not stop the start.
 */
export function parseFeatureGates(text: string): Map<string, boolean> {
  const gates = new Map<string, boolean>();
  for (const pair of text.split(',')) {
    const trimmed = pair.trim();
    if (trimmed === '') continue;
    const match = /^([A-Za-z][A-Za-z0-9]*)=(true|false|1|0|t|f)$/i.exec(trimmed);
    if (!match?.[1] || !match[2]) {
      throw new Error(
        `--feature-gates: "${trimmed}" is not Name=true or Name=false (e.g. ObjectLevelWorkloadIdentity=true)`,
      );
    }
    gates.set(match[1], /^(true|1|t)$/i.test(match[2]));
  }
  return gates;
}
