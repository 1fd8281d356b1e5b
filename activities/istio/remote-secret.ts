import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { applyObjects } from '../kube/apply';
import type { ClusterClient } from '../kube/cluster-client';
import type { KubeObject } from '../kube/kube-object';
import { waitForSecretKeys } from '../kube/waits';
import { ISTIO_NAMESPACE } from './istioctl';
import { MANAGED_BY } from './mesh-objects';

/** The seed's `istio-multi` service account in remote, with read access for local's istiod. */
export const REMOTE_READER = {
  serviceAccount: 'istio-multi',
  clusterRole: 'meshops-istio-multi',
  tokenSecret: 'istio-multi-token',
} as const;

export function remoteSecretName(remoteClusterName: string): string {
  return `istio-remote-secret-${remoteClusterName}`;
}

/** Service account, ClusterRole (Istio's istio-reader rules), binding and token Secret, all in remote. */
export function remoteReaderObjects(): KubeObject[] {
  const read = ['get', 'list', 'watch'];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: REMOTE_READER.serviceAccount, namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: REMOTE_READER.clusterRole, labels: { ...MANAGED_BY } },
      rules: [
        {
          apiGroups: ['config.istio.io', 'security.istio.io', 'networking.istio.io', 'authentication.istio.io', 'rbac.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
          resources: ['*'],
          verbs: read,
        },
        { apiGroups: [''], resources: ['endpoints', 'pods', 'services', 'nodes', 'replicationcontrollers', 'namespaces', 'secrets'], verbs: read },
        { apiGroups: [''], resources: ['configmaps'], verbs: [...read, 'create', 'update'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
        { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: read },
        { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes'], verbs: read },
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: REMOTE_READER.clusterRole, labels: { ...MANAGED_BY } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: REMOTE_READER.clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: REMOTE_READER.serviceAccount, namespace: ISTIO_NAMESPACE }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: {
        name: REMOTE_READER.tokenSecret,
        namespace: ISTIO_NAMESPACE,
        labels: { ...MANAGED_BY },
        annotations: { 'kubernetes.io/service-account.name': REMOTE_READER.serviceAccount },
      },
    },
  ];
}

/** The seed's remote_kubecfg: the remote API server, its CA, and the service account's token. */
export function remoteKubeconfig(clusterName: string, server: string, caDataBase64: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server, 'certificate-authority-data': caDataBase64 } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    'current-context': clusterName,
    preferences: {},
    users: [{ name: clusterName, user: { token } }],
  });
}

export function fingerprint(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The Secret local's istiod watches: labelled istio/multiCluster=true, annotated with the cluster's name. */
export function remoteSecret(remoteClusterName: string, kubeconfig: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: remoteSecretName(remoteClusterName),
      namespace: ISTIO_NAMESPACE,
      labels: { 'istio/multiCluster': 'true', ...MANAGED_BY },
      annotations: { 'networking.istio.io/cluster': remoteClusterName },
    },
    data: { [remoteClusterName]: Buffer.from(kubeconfig).toString('base64') },
  };
}

export interface LinkedSecret {
  name: string;
  fingerprint: string;
}

/**
 * Creates the reader identity in remote, waits for its token, and writes the kubeconfig Secret in
 * local. The token and the kubeconfig live only in this function's scope: the caller gets the
 * Secret's name and a fingerprint.
 */
export async function linkRemoteCluster(
  local: ClusterClient,
  remote: ClusterClient,
  remoteClusterName: string,
  timeoutMs: number,
): Promise<LinkedSecret> {
  await applyObjects(remote, remoteReaderObjects());
  const tokenSecret = await waitForSecretKeys(remote, ISTIO_NAMESPACE, REMOTE_READER.tokenSecret, ['token', 'ca.crt'], timeoutMs);
  const data = tokenSecret.data as Record<string, string>;
  const kubeconfig = remoteKubeconfig(remoteClusterName, remote.server, data['ca.crt'], Buffer.from(data.token, 'base64').toString('utf8'));
  const secret = remoteSecret(remoteClusterName, kubeconfig);
  await applyObjects(local, [secret]);
  return { name: secret.metadata.name, fingerprint: fingerprint(kubeconfig) };
}
