import type { V1Secret } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { applyObjects } from '../kube/apply';
import type { ClusterClient } from '../kube/cluster-client';
import { isNotFound, KUBE_FAILURE, kubeCall, kubeFailure, statusCode } from '../kube/kube-failure';
import type { KubeObject } from '../kube/kube-object';
import { ISTIO_NAMESPACE } from './istioctl';
import { generateRootCa, issueClusterCa, issuedBy, validateRootCa, type RootCa } from './mesh-ca';
import { CACERTS_SECRET, cacertsSecret, MANAGED_BY } from './mesh-objects';

/**
 * Where a generated root is kept between steps: install-remote must sign with the same root as
 * install-local, and the root's key must not travel through workflow history. It lives in local's
 * istio-system (removed by cleanup with the namespace). A user-supplied root is never stored.
 */
export const ROOT_CA_SECRET = 'meshops-root-ca';

function decode(data: Record<string, string> | undefined, key: string): string | undefined {
  const v = data?.[key];
  return v ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}

async function readSecret(client: ClusterClient, name: string) {
  try {
    return await client.core.readNamespacedSecret({ name, namespace: ISTIO_NAMESPACE });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw kubeFailure(err, { verb: 'read', object: `Secret ${ISTIO_NAMESPACE}/${name}`, context: client.context });
  }
}

function rootCaSecret(root: RootCa): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: ROOT_CA_SECRET, namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } },
    data: { 'root-cert.pem': Buffer.from(root.certPem).toString('base64'), 'root-key.pem': Buffer.from(root.keyPem).toString('base64') },
  };
}

/** The supplied root, else the one kept in local, else a new one (stored in local) when `create`. */
export async function meshRootCa(local: ClusterClient, meshId: string, supplied: RootCa | undefined, create: boolean): Promise<RootCa> {
  if (supplied) return supplied;
  const stored = await storedRoot(local);
  if (stored) return stored;
  if (!create) {
    throw ApplicationFailure.nonRetryable(
      `The mesh's root CA is not in Secret ${ISTIO_NAMESPACE}/${ROOT_CA_SECRET} on ${local.context}: run install-local first (it creates the root), or supply the root to the worker.`,
      'MeshRootCaMissing',
    );
  }
  const root = await generateRootCa(meshId);
  // Create, never overwrite: of two overlapping attempts the first to store wins, the other uses its root.
  try {
    await local.core.createNamespacedSecret({ namespace: ISTIO_NAMESPACE, body: rootCaSecret(root) as V1Secret });
    return root;
  } catch (err) {
    if (statusCode(err) !== 409) throw kubeFailure(err, { verb: 'create', object: `Secret ${ISTIO_NAMESPACE}/${ROOT_CA_SECRET}`, context: local.context });
  }
  const winner = await storedRoot(local);
  if (!winner) {
    throw ApplicationFailure.retryable(
      `Secret ${ISTIO_NAMESPACE}/${ROOT_CA_SECRET} on ${local.context} already existed but could not be read back complete; retrying.`,
      KUBE_FAILURE.transient,
    );
  }
  return winner;
}

async function storedRoot(local: ClusterClient): Promise<RootCa | undefined> {
  const secret = await readSecret(local, ROOT_CA_SECRET);
  const certPem = decode(secret?.data, 'root-cert.pem');
  const keyPem = decode(secret?.data, 'root-key.pem');
  if (!certPem || !keyPem) return undefined;
  try {
    return validateRootCa({ certPem, keyPem }, `Secret ${ISTIO_NAMESPACE}/${ROOT_CA_SECRET} on ${local.context}`);
  } catch (err) {
    // A corrupt stored root will not heal by retrying: name it (never its key) and the fix.
    throw ApplicationFailure.nonRetryable(
      `${(err as Error).message} The stored root CA is corrupt: delete the Secret and rerun install-local (a new root means re-issuing both clusters' cacerts).`,
      KUBE_FAILURE.invalid,
    );
  }
}

/**
 * Makes sure the cluster's `cacerts` holds an intermediate issued by the root. An existing one
 * from the same root is kept (re-runs change nothing); one from another root that meshops did not
 * create is refused, since replacing it would break the workloads' certificates.
 */
export async function ensureCacerts(client: ClusterClient, root: RootCa, clusterName: string): Promise<'kept' | 'written'> {
  const existing = await readSecret(client, CACERTS_SECRET);
  const caCert = decode(existing?.data, 'ca-cert.pem');
  if (caCert && decode(existing?.data, 'root-cert.pem') === root.certPem && issuedBy(caCert, root)) return 'kept';
  if (existing && existing.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'meshops') {
    throw ApplicationFailure.nonRetryable(
      `Secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET} on ${client.context} exists with another root CA and was not created by meshops. ` +
        'Supply that root to the worker (so both clusters share it) or delete the Secret, then retry.',
      'ForeignCacerts',
    );
  }
  await kubeCall({ verb: 'apply', object: `Secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET}`, context: client.context }, async () =>
    applyObjects(client, [cacertsSecret(await issueClusterCa(root, clusterName))]),
  );
  return 'written';
}
