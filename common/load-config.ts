import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { type Config, parseConfig } from './config';

/** Reads MESHOPS_CONFIG (when set) and the environment; the one place a process loads its config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fileName = env.MESHOPS_CONFIG;
  let file: { name: string; text: string } | undefined;
  if (fileName) {
    try {
      file = { name: fileName, text: readFileSync(fileName, 'utf8') };
    } catch (err) {
      throw new Error(`MESHOPS_CONFIG names ${fileName}, which cannot be read (${(err as NodeJS.ErrnoException).code}). Fix the path or unset MESHOPS_CONFIG.`, { cause: err });
    }
  }
  return parseConfig({ env, home: homedir(), file });
}
