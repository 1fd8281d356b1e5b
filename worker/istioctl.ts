import { join } from 'node:path';
import type { Config } from '../common/config';
import { findExecutable } from './find-executable';

/** MESHOPS_ISTIOCTL, then PATH, then the newest `bin/istioctl-<version>` of scripts/provision-kube.sh. */
export function findIstioctl(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const found = findExecutable({
    name: 'istioctl',
    explicit: config.istioctl ? { path: config.istioctl, setBy: 'MESHOPS_ISTIOCTL' } : undefined,
    pathEnv: env.PATH,
    cache: { dir: join(config.cacheDir, 'bin'), entryPrefix: 'istioctl-', binaryIn: (entry) => entry },
  });
  if (!found) {
    throw new Error(
      'istioctl was not found: the worker renders Istio manifests with it. Build it with `scripts/provision-kube.sh istioctl`, ' +
        'put istioctl on PATH, or set MESHOPS_ISTIOCTL to its path.',
    );
  }
  return found.path;
}
