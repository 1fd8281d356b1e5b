import type { V1Secret } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { ClusterClient } from '../kube/cluster-client';
import { isNotFound, kubeCall, kubeFailure, statusCode } from '../kube/kube-failure';
import { ISTIO_NAMESPACE } from './istioctl';
import { generateRootCa, issueClusterCa, issuedBy, type RootCa } from './mesh-ca';
import { CACERTS_SECRET, cacertsSecret, MANAGED_BY } from './mesh-objects';

function decode(data: Record<string, string> | undefined, key: string): string | undefined {
  const v = data?.[key];
  return v ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}

async function readCacerts(client: ClusterClient): Promise<V1Secret | undefined> {
  try {
    return await client.core.readNamespacedSecret({ name: CACERTS_SECRET, namespace: ISTIO_NAMESPACE });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw kubeFailure(err, { verb: 'read', object: `Secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET}`, context: client.context });
  }
}

/** istiod pods on the cluster: they sign workload certificates with the cacerts they loaded. */
async function istiodPods(client: ClusterClient): Promise<string[]> {
  const { items } = await kubeCall({ verb: 'list', object: `istiod pods in ${ISTIO_NAMESPACE}`, context: client.context }, () =>
    client.core.listNamespacedPod({ namespace: ISTIO_NAMESPACE, labelSelector: 'app=istiod' }),
  );
  return items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '');
}

export type CacertsOutcome = 'kept' | 'written' | 'replaced';

/**
 * Makes sure local's `cacerts` (Istio's plug-in CA, read by istiod) holds an intermediate issued
 * by the mesh's root. Only the cluster that runs istiod gets one: a remote's workloads are signed
 * by local's istiod. The root's private key never lands in a cluster: without a root from the
 * operator (MESHOPS_ROOT_CA_DIR) one is generated for this install, used to issue the
 * intermediate, and dropped, so the root key exists nowhere afterwards.
 * - An existing cacerts from meshops is kept (re-runs change nothing), unless the operator's root
 *   differs; replacing it is refused while istiod runs, since its workloads' certificates chain to
 *   the old root.
 * - One that meshops did not write is refused: replacing it would break its workloads' certificates.
 * - It is created, not applied: of two overlapping first attempts the first wins and both keep it.
 */
export async function ensureCacerts(local: ClusterClient, supplied: RootCa | undefined, cluster: string, meshId: string): Promise<CacertsOutcome> {
  const existing = await readCacerts(local);
  const where = `Secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET} on ${local.context}`;
  if (existing) {
    if (existing.metadata?.labels?.['app.kubernetes.io/managed-by'] !== MANAGED_BY['app.kubernetes.io/managed-by']) {
      throw ApplicationFailure.nonRetryable(
        `${where} exists and was not created by meshops. Supply the root it chains to (MESHOPS_ROOT_CA_DIR) after deleting it, or delete it to let meshops issue a new one, then retry.`,
        'ForeignCacerts',
      );
    }
    const caCert = decode(existing.data, 'ca-cert.pem');
    const sameRoot = !supplied || (decode(existing.data, 'root-cert.pem') === supplied.certPem && !!caCert && issuedBy(caCert, supplied));
    if (sameRoot) return 'kept';
    const running = await istiodPods(local);
    if (running.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `${where} chains to another root than the one the worker was given, and istiod (${running.join(', ')}) is running with it: replacing it would break every workload certificate in the mesh. ` +
          "Rotate the root as Istio's plug-in CA guide describes (both roots in root-cert.pem during the change), or give the worker the mesh's current root.",
        'CacertsRootChange',
      );
    }
  }
  const root = supplied ?? (await generateRootCa(meshId));
  const secret = cacertsSecret(await issueClusterCa(root, cluster));
  if (existing) {
    await kubeCall({ verb: 'replace', object: where, context: local.context }, () =>
      local.core.replaceNamespacedSecret({ name: CACERTS_SECRET, namespace: ISTIO_NAMESPACE, body: { ...(secret as V1Secret), metadata: { ...secret.metadata, resourceVersion: existing.metadata?.resourceVersion } } }),
    );
    return 'replaced';
  }
  try {
    await local.core.createNamespacedSecret({ namespace: ISTIO_NAMESPACE, body: secret as V1Secret });
    return 'written';
  } catch (err) {
    if (statusCode(err) === 409) return 'kept';
    throw kubeFailure(err, { verb: 'create', object: where, context: local.context });
  }
}
