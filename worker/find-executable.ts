import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type ExecutableSource = 'env' | 'PATH' | 'cache';
export interface FoundExecutable {
  path: string;
  source: ExecutableSource;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FindExecutableOptions {
  /** Binary name looked up on PATH, e.g. `temporal`. */
  name: string;
  /** An explicit path from configuration, and the variable that set it (for the error). */
  explicit?: { path: string; setBy: string };
  /** The cache directory, and how an entry in it maps to a binary path. */
  cache?: { dir: string; entryPrefix: string; binaryIn: (entryPath: string) => string };
  pathEnv?: string;
}

/** Explicit path, then PATH, then the newest matching entry of the meshops cache; undefined when none. */
export function findExecutable(opts: FindExecutableOptions): FoundExecutable | undefined {
  if (opts.explicit) {
    if (!isExecutable(opts.explicit.path)) {
      throw new Error(`${opts.explicit.setBy} is ${opts.explicit.path}, which is not an executable file. Fix the path or unset ${opts.explicit.setBy}.`);
    }
    return { path: opts.explicit.path, source: 'env' };
  }
  const onPath = (opts.pathEnv ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, opts.name))
    .find(isExecutable);
  if (onPath) return { path: onPath, source: 'PATH' };
  if (!opts.cache) return undefined;
  const { dir, entryPrefix, binaryIn } = opts.cache;
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((e) => e.startsWith(entryPrefix));
  } catch {
    return undefined;
  }
  entries.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  const cached = entries.map((e) => binaryIn(join(dir, e))).find(isExecutable);
  return cached ? { path: cached, source: 'cache' } : undefined;
}
