import { KustomizeError } from '../errors.ts';

/** Runs a patch engine and turns its errors into `KustomizeError`s naming the kustomization. */
export function guard<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof KustomizeError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new KustomizeError('PatchFailed', `${where}: ${message}`, { cause: error });
  }
}
