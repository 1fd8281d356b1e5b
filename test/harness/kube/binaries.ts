import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The programs a test cluster runs, as named in the cache and in KUBEBUILDER_ASSETS. */
export type BinaryName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kwok'
  | 'istioctl'
  | 'pilot-discovery';

/** The programs both clusters run (istioctl renders manifests; pilot-discovery is run by the agents for istiod pods; kubectl is for benchmarks). */
export type ClusterBinaryName = Exclude<BinaryName, 'istioctl' | 'pilot-discovery' | 'kubectl'>;

export type ClusterBinaries = Record<ClusterBinaryName, string> & { kwokStages: string; kwokCrds: string };

const repoRoot = resolve(__dirname, '..', '..', '..');
const versionsFile = join(repoRoot, 'scripts', 'kube-versions.env');
const provision = 'scripts/provision-kube.sh';

const versionKey: Record<BinaryName, string> = {
  etcd: 'ETCD_VERSION',
  'kube-apiserver': 'KUBERNETES_VERSION',
  'kube-controller-manager': 'KUBERNETES_VERSION',
  'kube-scheduler': 'KUBERNETES_VERSION',
  kubectl: 'KUBERNETES_VERSION',
  kwok: 'KWOK_VERSION',
  istioctl: 'ISTIO_VERSION',
  'pilot-discovery': 'ISTIO_VERSION',
};

/** The pinned versions from scripts/kube-versions.env (KEY=VALUE lines). */
export function pinnedVersions(): Record<string, string> {
  const entries = readFileSync(versionsFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('=', 2) as [string, string]);
  return Object.fromEntries(entries);
}

/** `${MESHOPS_CACHE_DIR:-~/.cache/meshops}`: the provisioned binaries, the Temporal CLI, the dev server's files. */
export function meshopsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MESHOPS_CACHE_DIR ?? join(homedir(), '.cache', 'meshops');
}

/** `${MESHOPS_CACHE_DIR:-~/.cache/meshops}/bin`, where scripts/provision-kube.sh puts its builds. */
export function cacheBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(meshopsCacheDir(env), 'bin');
}

/**
 * Finds one binary: `$KUBEBUILDER_ASSETS/<name>` first (the envtest convention), then the
 * provisioned `<cache>/bin/<name>-<version>`. Throws naming the provisioning script when neither exists.
 */
export function findBinary(name: BinaryName, env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  if (env.KUBEBUILDER_ASSETS) {
    const fromAssets = join(env.KUBEBUILDER_ASSETS, name);
    if (existsSync(fromAssets)) return fromAssets;
    tried.push(fromAssets);
  }
  const version = pinnedVersions()[versionKey[name]];
  const cached = join(cacheBinDir(env), `${name}-${version}`);
  if (existsSync(cached)) return cached;
  tried.push(cached);
  throw new Error(
    `The test-cluster binary ${name} ${version} is missing (looked at ${tried.join(', ')}). ` +
      `Run ${provision} (it builds from the Go module proxy into ${cacheBinDir(env)}), ` +
      'or point KUBEBUILDER_ASSETS at a folder that holds it.',
  );
}

/** A file of kwok's release the provisioning script writes beside the binary (its stages, its CRDs). */
function findKwokFile(kind: 'stages' | 'crds', env: NodeJS.ProcessEnv): string {
  const version = pinnedVersions().KWOK_VERSION;
  const candidates = [join(cacheBinDir(env), `kwok-${kind}-${version}.yaml`)];
  if (env.KUBEBUILDER_ASSETS) candidates.unshift(join(env.KUBEBUILDER_ASSETS, `kwok-${kind}.yaml`));
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  throw new Error(`kwok's ${kind} file is missing (looked at ${candidates.join(', ')}). Run ${provision} kwok.`);
}

const clusterBinaryNames: ClusterBinaryName[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];

/** Every binary the clusters run; fails on the first missing one. */
export function findClusterBinaries(env: NodeJS.ProcessEnv = process.env): ClusterBinaries {
  const found = Object.fromEntries(clusterBinaryNames.map((name) => [name, findBinary(name, env)]));
  return { ...(found as Record<ClusterBinaryName, string>), kwokStages: findKwokFile('stages', env), kwokCrds: findKwokFile('crds', env) };
}
