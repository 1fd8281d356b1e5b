import { join } from 'node:path';
import { kwokNodeAnnotation } from './nodes';
import type { ClusterPki } from './pki';

/**
 * The ports every cluster's components listen on, at the cluster's own address in the test
 * network namespace (so both clusters use the same well-known ports, and no port is ever probed).
 */
export const PORTS = { etcd: 2379, etcdPeer: 2380, apiserver: 6443, controllerManager: 10257, scheduler: 10259 } as const;

/** What the components of one cluster are started with. */
export interface ComponentConfig {
  name: string;
  dir: string;
  pki: ClusterPki;
  /** The cluster's address in the test network namespace; every component binds it. */
  address: string;
  /** Single-context admin kubeconfig the components talk to the API server with. */
  adminKubeconfig: string;
  serviceCidr: string;
  kwokStages: string;
  nodeIp: string;
  /** The port kwok's kubelet API listens on (all addresses in the namespace), and the nodes announce. */
  kubeletPort: number;
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
 * Admission webhooks are on, as in a real cluster: Istio's injection and validation webhooks are
 * called (istiod runs as a real process in the test network). TaintNodesByCondition is off because
 * no node-lifecycle controller runs to lift the not-ready taint from kwok's nodes.
 */
const disabledAdmission = ['TaintNodesByCondition'];

export const etcdUrl = (c: ComponentConfig) => `http://${c.address}:${PORTS.etcd}`;

export function etcdArgs(c: ComponentConfig): string[] {
  const peerUrl = `http://${c.address}:${PORTS.etcdPeer}`;
  return [
    `--name=${c.name}`,
    `--data-dir=${join(c.dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl(c)}`,
    `--advertise-client-urls=${etcdUrl(c)}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${c.name}=${peerUrl}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiserverArgs(c: ComponentConfig): string[] {
  return [
    `--etcd-servers=${etcdUrl(c)}`,
    `--bind-address=${c.address}`,
    `--advertise-address=${c.address}`,
    `--secure-port=${PORTS.apiserver}`,
    `--cert-dir=${join(c.dir, 'pki')}`,
    `--tls-cert-file=${c.pki.servingCert}`,
    `--tls-private-key-file=${c.pki.servingKey}`,
    `--client-ca-file=${c.pki.caCert}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${c.pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${c.pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${c.serviceCidr}`,
    '--allow-privileged=true',
    `--disable-admission-plugins=${disabledAdmission.join(',')}`,
    // Webhook Services resolve to their endpoints (as for aggregated APIs): no kube-proxy runs to
    // carry ClusterIP traffic, and the endpoints are what a real cluster's Service would reach.
    '--enable-aggregator-routing=true',
    // port-forward and exec go to kwok's kubelet API at the node's InternalIP (its hostname does not resolve)
    '--kubelet-preferred-address-types=InternalIP',
    '--profiling=false',
    '--v=1',
  ];
}

/** Flags shared by the controller-manager and the scheduler (admin kubeconfig, the cluster address, no election). */
function delegated(c: ComponentConfig): string[] {
  return [
    `--kubeconfig=${c.adminKubeconfig}`,
    `--authentication-kubeconfig=${c.adminKubeconfig}`,
    `--authorization-kubeconfig=${c.adminKubeconfig}`,
    `--bind-address=${c.address}`,
    '--leader-elect=false',
    '--v=1',
  ];
}

export function controllerManagerArgs(c: ComponentConfig): string[] {
  return [
    ...delegated(c),
    `--secure-port=${PORTS.controllerManager}`,
    `--controllers=${controllers.join(',')}`,
    `--service-account-private-key-file=${c.pki.serviceAccountKey}`,
    `--root-ca-file=${c.pki.caCert}`,
    '--use-service-account-credentials=false',
    `--cluster-name=${c.name}`,
  ];
}

export function schedulerArgs(c: ComponentConfig): string[] {
  return [...delegated(c), `--secure-port=${PORTS.scheduler}`];
}

export function kwokArgs(c: ComponentConfig): string[] {
  return [
    `--kubeconfig=${c.adminKubeconfig}`,
    `--config=${c.kwokStages}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation}=fake`,
    `--node-ip=${c.nodeIp}`,
    // a kubelet API (port-forward) on every address of the namespace, each cluster on its own port
    `--node-port=${c.kubeletPort}`,
    '--enable-crds=PortForward',
  ];
}
