import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, findClusterBinaries, type ClusterBinaries } from './binaries';
import { startCluster, type ClusterSpec, type RunningCluster } from './cluster';
import { writeKubeconfig } from './kubeconfig';
import { createNetworkNamespace, type NetworkNamespace } from './netns';
import { groupMembers, rssMiB } from './process';
import { registryImages } from './registry';

export { findBinary, findClusterBinaries, cacheBinDir } from './binaries';

/** The context names, as the seed's CTX_LOCAL and CTX_REMOTE. */
export const contexts = { local: 'local', remote: 'remote' } as const;
export type ContextName = keyof typeof contexts;

export interface StartClustersOptions {
  /** Parent of the harness's temp dir (default: the OS temp dir). */
  baseDir?: string;
  /** Binaries to run (default: KUBEBUILDER_ASSETS, then the provisioned cache). */
  binaries?: ClusterBinaries;
}

export interface Clusters {
  /** One kubeconfig with contexts `local` and `remote`, admin client certificates. */
  kubeconfigPath: string;
  contexts: typeof contexts;
  /** The harness's temp dir; logs/ holds one log file per process. */
  dir: string;
  logDir: string;
  clusters: Record<ContextName, RunningCluster>;
  /** The network namespace both clusters run in. */
  network: NetworkNamespace;
  /** Every live process of both clusters (components and their watchdogs). */
  pids(): number[];
  /** Resident memory of those processes in MiB. */
  rssMiB(): number;
  /** Stops every process (process groups, verified gone) and removes the etcd data. */
  stop(): Promise<void>;
}

type Layout = Omit<ClusterSpec, 'dir' | 'logDir' | 'binaries' | 'address' | 'enter' | 'agent'>;

/** Address ranges of both clusters: pods, Services, load balancers and nodes never overlap. */
const LAYOUT: Layout[] = [
  {
    name: contexts.local,
    serviceCidr: '10.96.0.0/16',
    serviceIp: '10.96.0.1',
    nodes: [
      { name: 'local-node-1', ip: '10.10.0.1', podCidr: '10.244.0.0/24' },
      { name: 'local-node-2', ip: '10.10.0.2', podCidr: '10.244.1.0/24' },
    ],
    loadBalancerRange: '192.0.2.0/24',
    kubeletPort: 10250,
  },
  {
    name: contexts.remote,
    serviceCidr: '10.97.0.0/16',
    serviceIp: '10.97.0.1',
    nodes: [
      { name: 'remote-node-1', ip: '10.20.0.1', podCidr: '10.245.0.0/24' },
      { name: 'remote-node-2', ip: '10.20.0.2', podCidr: '10.245.1.0/24' },
    ],
    loadBalancerRange: '198.51.100.0/24',
    kubeletPort: 10251,
  },
];

/** Service, load-balancer and node addresses, routed locally inside the test network namespace (pods get routes of their own). */
const localRanges = LAYOUT.flatMap((c) => [c.serviceCidr, c.loadBalancerRange, ...c.nodes.map((n) => `${n.ip}/32`)]);

/**
 * Starts the `local` and `remote` clusters in parallel on loopback and writes one kubeconfig for
 * both. On failure everything started is stopped and the error names the log directory.
 */
export async function startClusters(options: StartClustersOptions = {}): Promise<Clusters> {
  const binaries = options.binaries ?? findClusterBinaries();
  const dir = await mkdtemp(join(options.baseDir ?? tmpdir(), 'meshops-kube-'));
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const harnessLog = join(logDir, 'harness.log');
  const note = (line: string) => appendFileSync(harnessLog, `${new Date().toISOString()} ${line}\n`);
  const started = Date.now();
  note(`starting clusters in ${dir}`);

  const network = await createNetworkNamespace({ logDir, clusters: LAYOUT.length, localRanges });
  note(`network namespace: host ${network.hostAddress}, clusters ${network.clusterAddresses.join(', ')}`);
  const agent = { images: registryImages(), pilotDiscovery: findBinary('pilot-discovery') };
  const specs: ClusterSpec[] = LAYOUT.map((layout, i) => ({
    ...layout,
    dir: join(dir, layout.name),
    logDir,
    binaries,
    address: network.clusterAddresses[i],
    enter: network.enter,
    agent,
  }));
  const results = await Promise.allSettled(specs.map((spec) => startCluster(spec)));
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  const stopAll = async () => {
    await Promise.all(running.map((c) => c.stop()));
    await network.stop();
    note('stopped');
  };
  if (failures.length > 0) {
    await stopAll();
    const reasons = failures.map((e) => e.message).join('; ');
    note(`start failed: ${reasons}`);
    throw new Error(`Test clusters failed to start: ${reasons}. Logs of every process: ${logDir}`);
  }
  const [local, remote] = running;
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeKubeconfig(
    kubeconfigPath,
    running.map((c) => ({
      name: c.name,
      server: c.server,
      caCertFile: c.pki.caCert,
      clientCertFile: c.pki.adminCert,
      clientKeyFile: c.pki.adminKey,
    })),
  );
  const pids = () => [network.holder, ...running.flatMap((c) => c.processes)].flatMap((p) => groupMembers(p.pid));
  note(`both clusters ready in ${((Date.now() - started) / 1000).toFixed(1)}s, ${rssMiB(pids())} MiB RSS; kubeconfig ${kubeconfigPath}`);
  return {
    pids,
    rssMiB: () => rssMiB(pids()),
    kubeconfigPath,
    contexts,
    dir,
    logDir,
    clusters: { local, remote },
    network,
    stop: async () => {
      await stopAll();
      await Promise.all(running.map((c) => rm(join(dir, c.name, 'etcd'), { recursive: true, force: true })));
    },
  };
}
