import type { KubernetesObject } from '@kubernetes/client-node';
import { deleteObjects } from '../kube/apply';
import type { ClusterClient } from '../kube/cluster-client';
import { isNotFound, kubeCall, kubeFailure } from '../kube/kube-failure';
import type { KubeObject } from '../kube/kube-object';
import { waitForGone } from '../kube/waits';
import { ISTIO_LABELS } from './istioctl';

/**
 * The kinds `istioctl uninstall --purge` looks through for its objects (operator/pkg/uninstall),
 * plus EndpointSlice (the remote profile's istiod endpoint) and the Istio config kinds meshops
 * applies itself (expose-istiod, expose-services). Workload kinds first: they stop what runs.
 */
const NAMESPACED: [apiVersion: string, kind: string][] = [
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'DaemonSet'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['v1', 'Service'],
  ['discovery.k8s.io/v1', 'EndpointSlice'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'ServiceAccount'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['networking.istio.io/v1', 'Gateway'],
  ['networking.istio.io/v1', 'VirtualService'],
];
const WEBHOOKS: [string, string][] = [
  ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
];
const CLUSTER_RBAC: [string, string][] = [
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
];
const CRD: [string, string] = ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'];

/** A label selector for the objects istioctl-rendered for one of meshops' overlays (its owning resource). */
export const ownedBy = (...owners: string[]) => `${ISTIO_LABELS.owner} in (${owners.join(',')})`;

async function listAll(client: ClusterClient, [apiVersion, kind]: [string, string], labelSelector: string): Promise<KubeObject[]> {
  try {
    const list = await client.objects.list<KubernetesObject>(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, labelSelector);
    return list.items.map((o) => ({ ...o, apiVersion, kind }) as KubeObject);
  } catch (err) {
    // An Istio config kind whose CRD is gone has nothing left to delete.
    if (isNotFound(err)) return [];
    throw kubeFailure(err, { verb: 'list', object: `${kind}s labelled ${labelSelector}`, context: client.context });
  }
}

export interface SweepOptions {
  /** Also delete CRDs with the labels (and with them every custom resource of theirs). */
  crds: boolean;
  timeoutMs: number;
}

/**
 * Deletes every object matching the selector: webhooks first (so no pod creation is refused on
 * the way), then workloads, waiting until their pods are gone (so istiod cannot rewrite what is
 * deleted next), then the rest; CRDs last and only when asked. Returns how many existed.
 */
export async function sweep(client: ClusterClient, labelSelector: string, options: SweepOptions): Promise<number> {
  let deleted = 0;
  for (const kind of WEBHOOKS) deleted += await deleteObjects(client, await listAll(client, kind, labelSelector));
  const workloads = [...(await listAll(client, NAMESPACED[0], labelSelector)), ...(await listAll(client, NAMESPACED[1], labelSelector))];
  const pods = await podsOf(client, workloads);
  deleted += await deleteObjects(client, workloads);
  if (pods.length > 0) await waitForGone(client, { apiVersion: 'v1', kind: 'Pod', plural: 'pods' }, pods, options.timeoutMs);
  for (const kind of [...NAMESPACED.slice(2), ...CLUSTER_RBAC]) deleted += await deleteObjects(client, await listAll(client, kind, labelSelector));
  if (options.crds) {
    const crds = await listAll(client, CRD, labelSelector);
    deleted += await deleteObjects(client, crds);
    await waitForGone(client, { apiVersion: CRD[0], kind: CRD[1], plural: 'customresourcedefinitions' }, crds.map((c) => c.metadata.name), options.timeoutMs);
  }
  return deleted;
}

/** Names of the pods the workloads run (by their selectors). */
async function podsOf(client: ClusterClient, workloads: KubeObject[]): Promise<string[]> {
  const names: string[] = [];
  for (const w of workloads) {
    const match = (w as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels;
    if (!match || !w.metadata.namespace) continue;
    const labelSelector = Object.entries(match).map(([k, v]) => `${k}=${v}`).join(',');
    const { items } = await kubeCall({ verb: 'list', object: `pods of ${w.kind} ${w.metadata.namespace}/${w.metadata.name}`, context: client.context }, () =>
      client.core.listNamespacedPod({ namespace: w.metadata.namespace!, labelSelector }),
    );
    names.push(...items.map((p) => p.metadata?.name ?? ''));
  }
  return names;
}
