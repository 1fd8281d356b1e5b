import { ApisApi, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import type { ClusterClient } from '../../activities/kube/cluster-client';
import { describeObject, type KubeObject } from '../../activities/kube/kube-object';

/** Objects that other test files create and delete while a mesh test runs (their namespaces and cluster-scoped names). */
const OTHER_TESTS = /meshops\.test$|^primitives-|^harness-/;
/** Kinds whose objects come and go by themselves: events, and the kubelet heartbeats in kube-node-lease. */
const EPHEMERAL = new Set(['Event', 'Lease']);

/** Every listable resource the API server serves (core and every group's preferred version), by discovery. */
async function listableKinds(client: ClusterClient): Promise<[apiVersion: string, kind: string][]> {
  const custom = client.kubeConfig.makeApiClient(CustomObjectsApi);
  const groups = await client.kubeConfig.makeApiClient(ApisApi).getAPIVersions();
  const lists = await Promise.all([
    client.core.getAPIResources(),
    ...groups.groups.map((g) => {
      const [group, version] = (g.preferredVersion?.groupVersion ?? '').split('/');
      return custom.getAPIResources({ group, version });
    }),
  ]);
  return lists.flatMap((l) =>
    l.resources.filter((r) => !r.name.includes('/') && r.verbs.includes('list') && !EPHEMERAL.has(r.kind)).map((r): [string, string] => [l.groupVersion, r.kind]),
  );
}

/**
 * The names of every object in the cluster, of every listable kind (ConfigMaps, Secrets, Leases…
 * included; events left out), as "Kind namespace/name": to compare a cluster before and after a run.
 */
export async function clusterSnapshot(client: ClusterClient): Promise<string[]> {
  const names: string[] = [];
  for (const [apiVersion, kind] of await listableKinds(client)) {
    const list = await client.objects.list<KubernetesObject>(apiVersion, kind);
    for (const o of list.items) {
      const ns = o.metadata?.namespace;
      const name = o.metadata?.name ?? '';
      // a Service's ClusterIP allocation is cluster-scoped, named by the IP, and owned by the Service
      const owner = (o as { spec?: { parentRef?: { namespace?: string } } }).spec?.parentRef?.namespace;
      if (OTHER_TESTS.test(ns ?? '') || OTHER_TESTS.test(name) || OTHER_TESTS.test(owner ?? '')) continue;
      names.push(`${kind} ${ns ? `${ns}/` : ''}${name}`);
    }
  }
  return [...new Set(names)].sort();
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
