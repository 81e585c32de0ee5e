/**
 * Runs `action` with `vars` set in this process's environment (undefined unsets a variable),
 * then puts every one of them back as it was. The in-process controller reads its controller
 * identity (IRSA, GCP external account, Azure Workload Identity) from there, as it would from
 * the variables a cloud webhook injects into its pod.
 */
export async function withProcessEnv<T>(
  vars: Readonly<Record<string, string | undefined>>,
  action: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  assign(vars);
  try {
    return await action();
  } finally {
    assign(saved);
  }
}
