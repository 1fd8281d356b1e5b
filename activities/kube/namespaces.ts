import { PatchStrategy, setHeaderOptions, type V1Namespace } from '@kubernetes/client-node';
import { applyObjects, deleteObjects } from './apply';
import type { ClusterClient } from './cluster-client';
import { isNotFound, kubeCall, kubeFailure } from './kube-failure';
import type { KubeObject } from './kube-object';
import { waitForGone } from './waits';

/**
 * Marks a namespace meshops created (rather than one that was there already), so that cleanup
 * deletes only its own namespaces and, in one that was there, only takes back its labels.
 */
export const CREATED_ANNOTATION = 'meshops.io/created-namespace';
/**
 * On a namespace that was there before: the values its own labels had where meshops set another
 * (JSON), so that releasing it puts them back, e.g. a user's `istio-injection=disabled`.
 */
export const PREVIOUS_LABELS_ANNOTATION = 'meshops.io/previous-labels';
const MANAGED_BY = 'app.kubernetes.io/managed-by';

async function readNamespace(client: ClusterClient, name: string): Promise<V1Namespace | undefined> {
  try {
    return await client.core.readNamespace({ name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw kubeFailure(err, { verb: 'read', object: `Namespace ${name}`, context: client.context });
  }
}

/** Whether meshops created the namespace: annotated so, or (by an earlier meshops, before the annotation) labelled managed-by meshops. */
function createdByMeshops(ns: V1Namespace): boolean {
  return ns.metadata?.annotations?.[CREATED_ANNOTATION] === 'true' || ns.metadata?.labels?.[MANAGED_BY] === 'meshops';
}

function previousLabels(ns: V1Namespace): Record<string, string> {
  const text = ns.metadata?.annotations?.[PREVIOUS_LABELS_ANNOTATION];
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * The namespace's own label values that applying `labels` changes, to put back on release: what an
 * earlier run recorded, plus each label the namespace has with another value than meshops sets.
 */
function labelsToRecord(live: V1Namespace, labels: Record<string, string>): Record<string, string> {
  const liveLabels = live.metadata?.labels ?? {};
  const recorded = previousLabels(live);
  const previous = { ...recorded };
  for (const [key, value] of Object.entries(labels)) {
    // a re-run keeps what the first run recorded: by then the live value is meshops' own
    if (key in recorded) continue;
    if (key in liveLabels && liveLabels[key] !== value) previous[key] = liveLabels[key];
  }
  return previous;
}

/**
 * Applies the namespace (labels, annotations), recording whether meshops created it. A namespace
 * that was there keeps its own managed-by label: meshops adds only what it needs (network labels),
 * and records the values of the namespace's own labels it changes (PREVIOUS_LABELS_ANNOTATION).
 */
export async function applyNamespace(client: ClusterClient, ns: KubeObject): Promise<'created' | 'existed'> {
  const live = await readNamespace(client, ns.metadata.name);
  const ours = !live || createdByMeshops(live);
  const labels = Object.fromEntries(Object.entries(ns.metadata.labels ?? {}).filter(([k]) => ours || k !== MANAGED_BY));
  const previous = ours ? {} : labelsToRecord(live, labels);
  const annotations = {
    ...ns.metadata.annotations,
    ...(ours ? { [CREATED_ANNOTATION]: 'true' } : {}),
    ...(Object.keys(previous).length > 0 ? { [PREVIOUS_LABELS_ANNOTATION]: JSON.stringify(previous) } : {}),
  };
  await applyObjects(client, [{ ...ns, metadata: { ...ns.metadata, labels, annotations } }]);
  return live ? 'existed' : 'created';
}

/**
 * Undoes applyNamespace: a namespace meshops created is deleted (and waited for); in one that was
 * there before, meshops' labels and annotations are taken back by applying it with none, and the
 * namespace's own label values that meshops had changed are put back.
 */
export async function releaseNamespace(client: ClusterClient, name: string, timeoutMs: number): Promise<'deleted' | 'released' | 'absent'> {
  const live = await readNamespace(client, name);
  if (!live) return 'absent';
  if (createdByMeshops(live)) {
    await deleteObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
    await waitForGone(client, { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces' }, [name], timeoutMs);
    return 'deleted';
  }
  const previous = previousLabels(live);
  await applyObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
  if (Object.keys(previous).length > 0) {
    // not server-side applied by meshops: the labels are the namespace owner's again, not meshops'
    await kubeCall({ verb: 'patch', object: `Namespace ${name}`, context: client.context }, () =>
      client.core.patchNamespace({ name, body: { metadata: { labels: previous } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
  }
  return 'released';
}
