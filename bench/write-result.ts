import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** Writes bench/results/<name>.json with the machine it ran on, and prints it. */
export function writeResult(name: string, result: Record<string, unknown>): void {
  const full = { ...result, date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', `${name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  console.log(JSON.stringify(full, null, 2));
}
