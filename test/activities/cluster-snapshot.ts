import { createHash } from 'node:crypto';
import { ApisApi, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import type { ClusterClient } from '../../activities/kube/cluster-client';
import { describeObject, type KubeObject } from '../../activities/kube/kube-object';

/** Objects that other test files create and delete while a mesh test runs (their namespaces and cluster-scoped names). */
const OTHER_TESTS = /meshops\.test$|^primitives-|^harness-/;
/** Events come and go by themselves (and expire); they record what happened, not what the cluster holds. */
const EPHEMERAL = new Set(['Event']);
/** Metadata the API server or controllers rewrite on every write or that names one incarnation of an object. */
const VOLATILE_METADATA = ['resourceVersion', 'uid', 'managedFields', 'creationTimestamp', 'generation', 'selfLink'] as const;

/**
 * Leases that are heartbeats, renewed every few seconds whatever anyone does: the nodes' (in
 * kube-node-lease), the API servers' identity leases and the leader-election locks of the control
 * plane's own components (kube-system). Every other Lease (istiod's leader election, say) is compared.
 */
function heartbeatLease(o: KubernetesObject): boolean {
  if (o.kind !== 'Lease') return false;
  const { namespace, name = '', labels } = o.metadata ?? {};
  if (namespace === 'kube-node-lease') return true;
  if (namespace !== 'kube-system') return false;
  return labels?.['apiserver.kubernetes.io/identity'] !== undefined || ['kube-controller-manager', 'kube-scheduler'].includes(name);
}

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
  return lists
    .filter((l) => !OTHER_TESTS.test(l.groupVersion.split('/')[0])) // other test files' CRDs come and go
    .flatMap((l) => l.resources.filter((r) => !r.name.includes('/') && r.verbs.includes('list') && !EPHEMERAL.has(r.kind)).map((r): [string, string] => [l.groupVersion, r.kind]));
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A secret value as a snapshot shows it: the first 12 hex digits of its sha256, which change with it. */
export function secretDigest(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

/**
 * An object as its owner wrote it: labels, annotations, owner references (without the owner's
 * uid), finalizers, data and spec (every field but status), without the metadata that changes on
 * every write. A Secret's values (tokens, private keys) are replaced by their digests, so that a
 * failed comparison names which key changed without printing the secret into the test's log.
 */
function normalized(o: KubernetesObject): object {
  const { status: _status, metadata = {}, ...content } = o as KubernetesObject & { status?: unknown; data?: Record<string, string>; stringData?: Record<string, string> };
  const meta: Record<string, unknown> = { ...metadata };
  for (const key of VOLATILE_METADATA) delete meta[key];
  if (metadata.ownerReferences) meta.ownerReferences = metadata.ownerReferences.map(({ uid: _uid, ...ref }) => ref);
  if (o.kind === 'Secret') {
    for (const field of ['data', 'stringData'] as const) {
      const values = content[field];
      if (values) content[field] = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, secretDigest(value)]));
    }
    // kubectl's client-side apply keeps the whole object, data included, in an annotation
    const lastApplied = metadata.annotations?.[LAST_APPLIED];
    if (lastApplied) meta.annotations = { ...metadata.annotations, [LAST_APPLIED]: secretDigest(lastApplied) };
  }
  return { ...content, metadata: meta };
}

/**
 * Every object in the cluster, of every listable kind (ConfigMaps, Secrets, Leases… included;
 * events and heartbeat Leases left out), one line each: "Kind namespace/name" and the object's
 * labels, annotations and content as JSON (normalized), sorted: to compare a cluster before and
 * after a run, line by line.
 */
export async function clusterSnapshot(client: ClusterClient): Promise<string[]> {
  const lines: string[] = [];
  for (const [apiVersion, kind] of await listableKinds(client)) {
    let items: KubernetesObject[];
    try {
      items = (await client.objects.list<KubernetesObject>(apiVersion, kind)).items;
    } catch (err) {
      // a CRD deleted between discovery and its list (another test file's, or an uninstall) serves nothing
      if ((err as { code?: number }).code === 404) continue;
      throw err;
    }
    for (const o of items) {
      const ns = o.metadata?.namespace;
      const name = o.metadata?.name ?? '';
      // a Service's ClusterIP allocation is cluster-scoped, named by the IP, and owned by the Service
      const owner = (o as { spec?: { parentRef?: { namespace?: string } } }).spec?.parentRef?.namespace;
      if (OTHER_TESTS.test(ns ?? '') || OTHER_TESTS.test(name) || OTHER_TESTS.test(owner ?? '')) continue;
      if (heartbeatLease({ ...o, kind })) continue;
      lines.push(`${kind} ${ns ? `${ns}/` : ''}${name} ${JSON.stringify(normalized({ ...o, apiVersion, kind }))}`);
    }
  }
  return [...new Set(lines)].sort();
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
