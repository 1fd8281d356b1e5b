import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterClient } from '../../activities/kube/cluster-client';
import { describeObject, type KubeObject } from '../../activities/kube/kube-object';

const CLUSTER_SCOPED = [
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
  ['v1', 'Namespace'],
] as const;

/** Objects that other test files create and delete while a mesh test runs. */
const OTHER_TESTS = /meshops\.test$|^primitives-/;

/** Names of every cluster-scoped object a mesh install could touch, per kind (other tests' own objects left out). */
export async function clusterScopedNames(client: ClusterClient): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [apiVersion, kind] of CLUSTER_SCOPED) {
    const list = await client.objects.list<KubernetesObject>(apiVersion, kind);
    out[kind] = list.items.map((o) => o.metadata?.name ?? '').filter((n) => !OTHER_TESTS.test(n)).sort();
  }
  return out;
}

/** resourceVersion of each object, read back from the API server; "absent" when it does not exist. */
export async function resourceVersions(client: ClusterClient, objects: KubeObject[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    try {
      const live = await client.objects.read({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace } });
      out[describeObject(o)] = live.metadata?.resourceVersion ?? '';
    } catch {
      out[describeObject(o)] = 'absent';
    }
  }
  return out;
}
