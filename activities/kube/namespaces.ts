import type { V1Namespace } from '@kubernetes/client-node';
import { applyObjects, deleteObjects } from './apply';
import type { ClusterClient } from './cluster-client';
import { isNotFound, kubeFailure } from './kube-failure';
import type { KubeObject } from './kube-object';
import { waitForGone } from './waits';

/**
 * Marks a namespace meshops created (rather than one that was there already), so that cleanup
 * deletes only its own namespaces and, in one that was there, only takes back its labels.
 */
export const CREATED_ANNOTATION = 'meshops.io/created-namespace';

async function readNamespace(client: ClusterClient, name: string): Promise<V1Namespace | undefined> {
  try {
    return await client.core.readNamespace({ name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw kubeFailure(err, { verb: 'read', object: `Namespace ${name}`, context: client.context });
  }
}

/** Applies the namespace (labels, annotations), recording whether meshops created it. */
export async function applyNamespace(client: ClusterClient, ns: KubeObject): Promise<'created' | 'existed'> {
  const live = await readNamespace(client, ns.metadata.name);
  const ours = !live || live.metadata?.annotations?.[CREATED_ANNOTATION] === 'true';
  const annotations = { ...ns.metadata.annotations, ...(ours ? { [CREATED_ANNOTATION]: 'true' } : {}) };
  await applyObjects(client, [{ ...ns, metadata: { ...ns.metadata, annotations } }]);
  return live ? 'existed' : 'created';
}

/**
 * Undoes applyNamespace: a namespace meshops created is deleted (and waited for); in one that was
 * there before, meshops' labels and annotations are taken back by applying it with none.
 */
export async function releaseNamespace(client: ClusterClient, name: string, timeoutMs: number): Promise<'deleted' | 'released' | 'absent'> {
  const live = await readNamespace(client, name);
  if (!live) return 'absent';
  if (live.metadata?.annotations?.[CREATED_ANNOTATION] === 'true') {
    await deleteObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
    await waitForGone(client, { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces' }, [name], timeoutMs);
    return 'deleted';
  }
  await applyObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
  return 'released';
}
