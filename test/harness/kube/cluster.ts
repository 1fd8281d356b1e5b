import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ClusterBinaries } from './binaries';
import { writeKubeconfig } from './kubeconfig';
import { LoadBalancerController } from './load-balancer';
import { createFakeNodes, kwokNodeAnnotation, nodesReady, type FakeNode } from './nodes';
import { createClusterPki, type ClusterPki } from './pki';
import { freePorts } from './ports';
import { ManagedProcess } from './process';
import { get, until } from './wait';

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

/** Controllers the tests rely on; node lifecycle and cloud controllers are left out on purpose. */
const controllers = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'pod-garbage-collector-controller',
  'disruption-controller',
  'clusterrole-aggregation-controller',
];

/**
 * No webhook server runs here, so webhook and policy admission are off (Istio's webhooks can be
 * applied but are never called); TaintNodesByCondition is off because no node-lifecycle
 * controller runs to lift the not-ready taint from kwok's nodes.
 */
const disabledAdmission = [
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'MutatingAdmissionPolicy',
  'TaintNodesByCondition',
];

/** Starts etcd, kube-apiserver, controller-manager, scheduler, kwok and the load-balancer controller. */
export async function startCluster(spec: ClusterSpec): Promise<RunningCluster> {
  const { name, dir, logDir, binaries: bin } = spec;
  const processes: ManagedProcess[] = [];
  let loadBalancer: LoadBalancerController | undefined;
  const stop = async () => {
    loadBalancer?.stop();
    // Dependents first so nothing logs a storm of connection errors while the API server goes.
    for (const group of [processes.slice(2), processes.slice(1, 2), processes.slice(0, 1)]) {
      await Promise.all(group.map((p) => p.stop()));
    }
  };
  const launch = (component: string, command: string, args: string[]) => {
    const proc = new ManagedProcess({
      name: `${name} ${component}`,
      command,
      args,
      logFile: join(logDir, `${name}-${component}.log`),
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
    const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedulerPort] = await freePorts(5);
    const pki = await createClusterPki(pkiDir, name, spec.serviceIp);
    const server = `https://127.0.0.1:${apiPort}`;
    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(adminKubeconfig, [
      { name, server, caCertFile: pki.caCert, clientCertFile: pki.adminCert, clientKeyFile: pki.adminKey },
    ]);

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = launch('etcd', bin.etcd, [
      `--name=${name}`,
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    await ready(etcd, 'health', async () => {
      const { status, body } = await get(`${etcdUrl}/health`);
      return status === 200 && body.includes('"true"') ? true : `${status} ${body}`;
    });

    const apiserver = launch('kube-apiserver', bin['kube-apiserver'], [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${pkiDir}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${spec.serviceCidr}`,
      '--allow-privileged=true',
      `--disable-admission-plugins=${disabledAdmission.join(',')}`,
      '--profiling=false',
      '--v=1',
    ]);
    await ready(apiserver, '/readyz', async () => {
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
    const delegated = [
      `--kubeconfig=${adminKubeconfig}`,
      `--authentication-kubeconfig=${adminKubeconfig}`,
      `--authorization-kubeconfig=${adminKubeconfig}`,
      '--bind-address=127.0.0.1',
      '--leader-elect=false',
      '--v=1',
    ];
    const kcm = launch('kube-controller-manager', bin['kube-controller-manager'], [
      ...delegated,
      `--secure-port=${kcmPort}`,
      `--controllers=${controllers.join(',')}`,
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--use-service-account-credentials=false',
      `--cluster-name=${name}`,
    ]);
    const scheduler = launch('kube-scheduler', bin['kube-scheduler'], [
      ...delegated,
      `--secure-port=${schedulerPort}`,
    ]);
    const kwok = launch('kwok', bin.kwok, [
      `--kubeconfig=${adminKubeconfig}`,
      `--config=${bin.kwokStages}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation}=fake`,
      `--node-ip=${spec.nodes[0].ip}`,
    ]);
    loadBalancer = new LoadBalancerController(kc, spec.loadBalancerRange, join(logDir, `${name}-load-balancer.log`));
    await loadBalancer.start();

    const core = kc.makeApiClient(CoreV1Api);
    await Promise.all([
      ready(kwok, 'nodes Ready', () => nodesReady(kc, spec.nodes.map((n) => n.name))),
      ready(kcm, 'default ServiceAccount', async () => {
        await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
        return true;
      }),
      ready(scheduler, '/readyz', async () => {
        const { status, body } = await get(`https://127.0.0.1:${schedulerPort}/readyz`);
        return status === 200 ? true : `${status} ${body.slice(-300)}`;
      }),
    ]);
    return { name, server, pki, adminKubeconfig, processes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
