import { join } from 'node:path';
import { kwokNodeAnnotation } from './nodes';
import type { ClusterPki } from './pki';

/** What the components of one cluster are started with. */
export interface ComponentConfig {
  name: string;
  dir: string;
  pki: ClusterPki;
  ports: { etcd: number; etcdPeer: number; apiserver: number; controllerManager: number; scheduler: number };
  /** Single-context admin kubeconfig the components talk to the API server with. */
  adminKubeconfig: string;
  serviceCidr: string;
  kwokStages: string;
  nodeIp: string;
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

export const etcdUrl = (c: ComponentConfig) => `http://127.0.0.1:${c.ports.etcd}`;

export function etcdArgs(c: ComponentConfig): string[] {
  const peerUrl = `http://127.0.0.1:${c.ports.etcdPeer}`;
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
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${c.ports.apiserver}`,
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
    '--profiling=false',
    '--v=1',
  ];
}

/** Flags shared by the controller-manager and the scheduler (admin kubeconfig, loopback, no election). */
function delegated(c: ComponentConfig): string[] {
  return [
    `--kubeconfig=${c.adminKubeconfig}`,
    `--authentication-kubeconfig=${c.adminKubeconfig}`,
    `--authorization-kubeconfig=${c.adminKubeconfig}`,
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
    '--v=1',
  ];
}

export function controllerManagerArgs(c: ComponentConfig): string[] {
  return [
    ...delegated(c),
    `--secure-port=${c.ports.controllerManager}`,
    `--controllers=${controllers.join(',')}`,
    `--service-account-private-key-file=${c.pki.serviceAccountKey}`,
    `--root-ca-file=${c.pki.caCert}`,
    '--use-service-account-credentials=false',
    `--cluster-name=${c.name}`,
  ];
}

export function schedulerArgs(c: ComponentConfig): string[] {
  return [...delegated(c), `--secure-port=${c.ports.scheduler}`];
}

export function kwokArgs(c: ComponentConfig): string[] {
  return [
    `--kubeconfig=${c.adminKubeconfig}`,
    `--config=${c.kwokStages}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation}=fake`,
    `--node-ip=${c.nodeIp}`,
  ];
}
