import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheBinDir, findBinary, pinnedVersions } from './binaries';

describe('test-cluster binary lookup', () => {
  it('prefers $KUBEBUILDER_ASSETS (the envtest convention) over the cache', () => {
    const assets = mkdtempSync(join(tmpdir(), 'meshops-assets-'));
    writeFileSync(join(assets, 'etcd'), '#!/bin/sh\n');
    chmodSync(join(assets, 'etcd'), 0o755);
    expect(findBinary('etcd', { KUBEBUILDER_ASSETS: assets })).toBe(join(assets, 'etcd'));
  });

  it('finds the provisioned <cache>/bin/<name>-<version> under MESHOPS_CACHE_DIR', () => {
    const cache = mkdtempSync(join(tmpdir(), 'meshops-cache-'));
    const env = { MESHOPS_CACHE_DIR: cache };
    const path = join(cacheBinDir(env), `kwok-${pinnedVersions().KWOK_VERSION}`);
    mkdirSync(cacheBinDir(env), { recursive: true });
    writeFileSync(path, '');
    expect(findBinary('kwok', env)).toBe(path);
  });

  it('fails naming the binary, where it looked and the provisioning script', () => {
    const empty = mkdtempSync(join(tmpdir(), 'meshops-empty-'));
    expect(() => findBinary('kube-apiserver', { MESHOPS_CACHE_DIR: empty, KUBEBUILDER_ASSETS: empty })).toThrow(
      /kube-apiserver v1\.36\.\d+ is missing \(looked at .*\)\. Run scripts\/provision-kube\.sh/,
    );
  });
});
