import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { V1Secret } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { stringify } from 'yaml';
import { applyObjects } from '../kube/apply';
import { missingPermissions, type Permission } from '../kube/access-review';
import type { ClusterClient } from '../kube/cluster-client';
import { KUBE_FAILURE, kubeCall } from '../kube/kube-failure';
import type { KubeObject } from '../kube/kube-object';
import { waitForSecretKeys } from '../kube/waits';
import { ISTIO_NAMESPACE } from './istioctl';
import { MANAGED_BY } from './mesh-objects';

// The remote secret as `istioctl create-remote-secret --type remote` makes it
// (istioctl/pkg/multicluster/remote_secret.go): the remote profile's reader service account and
// its token, a kubeconfig whose cluster, context and user are the cluster's name, in a Secret
// `istio-remote-secret-<cluster>` labelled `istio/multiCluster: "true"`.

/** The remote profile's reader, the identity local's istiod acts as on the remote. */
export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';
/** The token Secret istioctl creates for the reader when it has none (Kubernetes ≥ 1.24 makes none itself). */
export const READER_TOKEN_SECRET = `${READER_SERVICE_ACCOUNT}-istio-remote-secret-token`;

export function remoteSecretName(remoteClusterName: string): string {
  return `istio-remote-secret-${remoteClusterName}`;
}

function readerTokenSecret(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: {
      name: READER_TOKEN_SECRET,
      namespace: ISTIO_NAMESPACE,
      labels: { ...MANAGED_BY },
      annotations: { 'kubernetes.io/service-account.name': READER_SERVICE_ACCOUNT },
    },
  };
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

/** An address that, dialled from istiod's pod, stays in the pod: loopback (v4, v6, v4-mapped) or unspecified. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.') || bare === '0.0.0.0';
  if (isIP(bare) !== 6) return false;
  // URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1
  return bare === '::1' || bare === '::' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(bare);
}

/**
 * The API server URL istiod is given for the remote: the spec's `remote.apiServer`, else the
 * kubeconfig's. istiod dials it from a pod in the local cluster, where a loopback address is the
 * pod itself: refused, naming the fix (istioctl only warns, and the secret then never syncs).
 */
export function remoteApiServer(remote: ClusterClient, specServer: string | undefined): string {
  const server = specServer ?? remote.server;
  const host = new URL(server).hostname;
  if (isLoopback(host)) {
    throw ApplicationFailure.nonRetryable(
      `The remote API server ${server} (${specServer ? 'spec remote.apiServer' : `kubeconfig context ${remote.context}`}) is a loopback address: ` +
        "local's istiod would dial its own pod. Set the address istiod can reach, e.g. remoteApiServer=https://<remote API server address>:6443.",
      KUBE_FAILURE.invalid,
    );
  }
  return server;
}

/** The reader's token Secret: one that already refers to the reader (as istioctl looks), else meshops' own, filled by the token controller. */
async function readerToken(remote: ClusterClient, timeoutMs: number): Promise<{ token: string; caData: string }> {
  await kubeCall({ verb: 'read', object: `ServiceAccount ${ISTIO_NAMESPACE}/${READER_SERVICE_ACCOUNT} (from the remote profile; run install-remote first)`, context: remote.context }, () =>
    remote.core.readNamespacedServiceAccount({ name: READER_SERVICE_ACCOUNT, namespace: ISTIO_NAMESPACE }),
  );
  const { items } = await kubeCall({ verb: 'list', object: `Secrets in ${ISTIO_NAMESPACE}`, context: remote.context }, () =>
    remote.core.listNamespacedSecret({ namespace: ISTIO_NAMESPACE }),
  );
  const existing = items.find(
    (s: V1Secret) => s.type === 'kubernetes.io/service-account-token' && s.metadata?.annotations?.['kubernetes.io/service-account.name'] === READER_SERVICE_ACCOUNT,
  );
  const name = existing?.metadata?.name ?? READER_TOKEN_SECRET;
  if (!existing) await applyObjects(remote, [readerTokenSecret()]);
  const secret = await waitForSecretKeys(remote, ISTIO_NAMESPACE, name, ['token', 'ca.crt'], timeoutMs);
  const data = secret.data as Record<string, string>;
  return { token: Buffer.from(data.token, 'base64').toString('utf8'), caData: data['ca.crt'] };
}

/**
 * What local's istiod does on a remote through the reader (as an external istiod of the remote
 * profile, pilot/pkg/serviceregistry/kube/controller/multicluster.go): watch its services,
 * workloads, namespaces, nodes and Istio's CRDs, write istio-ca-root-cert into every namespace and
 * its leader-election lock, patch its injection webhook's caBundle, review proxies' tokens and
 * gateways' access to their credentials.
 */
const READER_NEEDS: Permission[] = [
  ...['pods', 'services', 'namespaces', 'nodes', 'secrets', 'configmaps'].flatMap((resource) => ['list', 'watch'].map((verb) => ({ verb, group: '', resource }))),
  { verb: 'watch', group: 'discovery.k8s.io', resource: 'endpointslices' },
  { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  { verb: 'create', group: '', resource: 'configmaps' },
  { verb: 'update', group: '', resource: 'configmaps' },
  { verb: 'watch', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' },
  { verb: 'update', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' },
  { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' },
  { verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' },
];

/** The reader's missing permissions on the remote, by SubjectAccessReview ("update mutatingwebhookconfigurations.admissionregistration.k8s.io"). */
export function readerPermissionsMissing(remote: ClusterClient): Promise<string[]> {
  const user = `system:serviceaccount:${ISTIO_NAMESPACE}:${READER_SERVICE_ACCOUNT}`;
  return missingPermissions(remote, READER_NEEDS, { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${ISTIO_NAMESPACE}`, 'system:authenticated'] });
}

export interface LinkedSecret {
  name: string;
  server: string;
  fingerprint: string;
}

/**
 * Writes the remote secret in local. The token and the kubeconfig live only in this function's
 * scope: the caller gets the Secret's name, the server and a fingerprint.
 */
export async function linkRemoteCluster(local: ClusterClient, remote: ClusterClient, remoteClusterName: string, server: string, timeoutMs: number): Promise<LinkedSecret> {
  const missing = await readerPermissionsMissing(remote);
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `ServiceAccount ${ISTIO_NAMESPACE}/${READER_SERVICE_ACCOUNT} on ${remote.context}, the identity local's istiod uses there, may not ${missing.join(', ')}: ` +
        "its role is not the remote profile's istio-reader-clusterrole (istiod could not patch the remote's injection webhook or write its root certificate). Rerun install-remote, which applies that role, then retry.",
      KUBE_FAILURE.forbidden,
    );
  }
  const { token, caData } = await readerToken(remote, timeoutMs);
  const kubeconfig = remoteKubeconfig(remoteClusterName, server, caData, token);
  const secret = remoteSecret(remoteClusterName, kubeconfig);
  await applyObjects(local, [secret]);
  return { name: secret.metadata.name, server, fingerprint: fingerprint(kubeconfig) };
}
