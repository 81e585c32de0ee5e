/** Types of build-snapshot.js, for the tests that build a snapshot. */
export function buildSnapshot(options: {
  /** Holds cli/ and sops/: dist/ (ext 'js') or the source tree (ext 'ts'). */
  root: string;
  ext: 'js' | 'ts';
  /** Receives <command>.blob per command and node (the path of the Node binary that built them). */
  out: string;
}): Promise<void>;
