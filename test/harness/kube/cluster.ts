import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ClusterBinaries } from './binaries';
import { writeKubeconfig } from './kubeconfig';
import { startAgent, type AgentConfig } from './agent/launch';
import {
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  etcdUrl,
  kwokArgs,
  PORTS,
  schedulerArgs,
  type ComponentConfig,
} from './components';
import { writeKwokStages } from './kwok-stages';
import { createFakeNodes, nodesReady, type FakeNode } from './nodes';
import { createClusterPki, type ClusterPki } from './pki';
import { ManagedProcess } from './process';
import { get, until } from './wait';
import { applyKwokCrds } from './kwok-crds';

export interface ClusterSpec {
  name: string;
  /** Working directory: pki/, etcd/, the component kubeconfig; logs go to logDir. */
  dir: string;
  logDir: string;
  binaries: ClusterBinaries;
  serviceCidr: string;
  /** The first address of serviceCidr: the `kubernetes` Service, in the serving certificate. */
  serviceIp: string;
  nodes: FakeNode[];
  /** A /24 from which LoadBalancer Services get their ingress address. */
  loadBalancerRange: string;
  /** The cluster's address in the test network namespace (every component binds it). */
  address: string;
  /** The port of kwok's kubelet API (unique per cluster: it listens on every address of the namespace). */
  kubeletPort: number;
  /** argv prefix that runs a program inside the test network namespace. */
  enter: string[];
  /** What the cluster's agent (kubelet stand-in, load balancers, istiod processes) needs besides the cluster. */
  agent: Pick<AgentConfig, 'images' | 'pilotDiscovery'>;
}

export interface RunningCluster {
  name: string;
  server: string;
  pki: ClusterPki;
  /** A kubeconfig with just this cluster, admin credentials (what the components use). */
  adminKubeconfig: string;
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

/**
 * Starts etcd, kube-apiserver, controller-manager, scheduler and kwok inside the test network
 * namespace, then the cluster's agent (kubelet stand-in, load balancers, istiod processes).
 */
export async function startCluster(spec: ClusterSpec): Promise<RunningCluster> {
  const { name, dir, logDir, binaries: bin } = spec;
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    // Dependents first so nothing logs a storm of connection errors while the API server goes.
    for (const group of [processes.slice(2).reverse(), processes.slice(1, 2), processes.slice(0, 1)]) {
      await Promise.all(group.map((p) => p.stop()));
    }
  };
  const launch = (component: string, command: string, args: string[], cwd?: string) => {
    const proc = new ManagedProcess({
      name: `${name} ${component}`,
      command: spec.enter[0],
      args: [...spec.enter.slice(1), command, ...args],
      logFile: join(logDir, `${name}-${component}.log`),
      cwd,
    });
    processes.push(proc);
    return proc;
  };
  /** Waits for a readiness check, failing at once if the process exits meanwhile. */
  const ready = async (proc: ManagedProcess, what: string, check: () => Promise<true | string>) => {
    const polling = new AbortController();
    const description = `${proc.spec.name} ${what} (log: ${proc.spec.logFile})`;
    try {
      await Promise.race([until(description, check, undefined, undefined, polling.signal), proc.failOnExit()]);
    } finally {
      polling.abort(new Error(`stopped waiting for ${description}`));
    }
  };

  try {
    const pkiDir = join(dir, 'pki');
    await mkdir(pkiDir, { recursive: true });
    const pki = await createClusterPki(pkiDir, name, spec.address, spec.serviceIp);
    const server = `https://${spec.address}:${PORTS.apiserver}`;
    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(adminKubeconfig, [
      { name, server, caCertFile: pki.caCert, clientCertFile: pki.adminCert, clientKeyFile: pki.adminKey },
    ]);
    const config: ComponentConfig = {
      name,
      dir,
      pki,
      address: spec.address,
      adminKubeconfig,
      serviceCidr: spec.serviceCidr,
      kwokStages: await writeKwokStages(bin.kwokStages, join(dir, 'kwok-stages.yaml')),
      nodeIp: spec.nodes[0].ip,
      kubeletPort: spec.kubeletPort,
    };

    const etcdProc = launch('etcd', bin.etcd, etcdArgs(config));
    await ready(etcdProc, 'health', async () => {
      const { status, body } = await get(`${etcdUrl(config)}/health`);
      return status === 200 && body.includes('"true"') ? true : `${status} ${body}`;
    });

    const apiserverProc = launch('kube-apiserver', bin['kube-apiserver'], apiserverArgs(config));
    await ready(apiserverProc, '/readyz', async () => {
      const { status, body } = await get(`${server}/readyz`, {
        ca: pki.caCert,
        cert: pki.adminCert,
        key: pki.adminKey,
      });
      return status === 200 ? true : `${status} ${body.slice(-300)}`;
    });

    const kc = new KubeConfig();
    kc.loadFromFile(adminKubeconfig);
    await createFakeNodes(kc, name, spec.nodes);
    await applyKwokCrds(kc, bin.kwokCrds);
    const kcmProc = launch('kube-controller-manager', bin['kube-controller-manager'], controllerManagerArgs(config));
    const schedulerProc = launch('kube-scheduler', bin['kube-scheduler'], schedulerArgs(config));
    const kwokProc = launch('kwok', bin.kwok, kwokArgs(config));
    const agentConfig: AgentConfig = {
      ...spec.agent,
      cluster: name,
      kubeconfig: adminKubeconfig,
      server,
      caCert: pki.caCert,
      loadBalancerRange: spec.loadBalancerRange,
      podsDir: join(dir, 'pods'),
      logDir,
    };
    const agent = await startAgent(agentConfig, join(dir, 'agent.json'), launch);

    const core = kc.makeApiClient(CoreV1Api);
    await Promise.all([
      ready(agent.process, 'started', agent.started),
      ready(kwokProc, 'nodes Ready', () => nodesReady(kc, spec.nodes.map((n) => n.name))),
      ready(kcmProc, 'default ServiceAccount', async () => {
        await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
        return true;
      }),
      ready(schedulerProc, '/readyz', async () => {
        const { status, body } = await get(`https://${spec.address}:${PORTS.scheduler}/readyz`);
        return status === 200 ? true : `${status} ${body.slice(-300)}`;
      }),
    ]);
    return { name, server, pki, adminKubeconfig, processes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
