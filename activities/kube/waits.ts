import type {
  CoreV1Event,
  KubernetesObject,
  V1ConfigMap,
  V1CustomResourceDefinition,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1Pod,
  V1ReplicaSet,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import type { ClusterClient } from './cluster-client';
import { crdEstablished, deploymentNotReadyReason, deploymentReady, hopelessContainers, podCounts, podNotReadyReason, podReady } from './readiness';
import { waitFor, type WatchedResource } from './wait-for';

/** The last few events of an object, newest last, as "Reason: message". */
export async function recentEvents(client: ClusterClient, namespace: string, name: string, limit = 3): Promise<string[]> {
  try {
    const { items } = await client.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
    return items
      .sort((a: CoreV1Event, b: CoreV1Event) => eventTime(a) - eventTime(b))
      .slice(-limit)
      .map((e) => `${e.reason ?? 'Event'}: ${e.message ?? ''}`.trim());
  } catch {
    return []; // Events only enrich the message; never fail the explanation for them.
  }
}

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
  return t ? new Date(t as unknown as string).getTime() : 0;
}

async function withEvents(client: ClusterClient, obj: KubernetesObject, kind: string, reason: string): Promise<string> {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  const events = await recentEvents(client, ns, name);
  return `${kind} ${ns}/${name}: ${reason}${events.length ? `; events: ${events.join(' | ')}` : ''}`;
}

export interface WorkloadWait {
  namespace: string;
  labelSelector?: string;
  timeoutMs: number;
  /** For messages, e.g. "control-plane" → "control-plane pods in istio-system on local". */
  label?: string;
  /** Succeed on a namespace with no Deployments (and no pods); by default the wait needs at least one. */
  allowEmpty?: boolean;
}

/** A FailedMount or FailedCreate this old is not a start-up race: the kubelet or ReplicaSet will go on failing. */
export const STUCK_AFTER_MS = 30_000;

const age = (t: unknown) => Date.now() - new Date(t as string).getTime();

function mountFix(message: string): string {
  if (message.includes('istio-ca-root-cert')) {
    return 'istiod writes ConfigMap istio-ca-root-cert into every namespace of the clusters it serves: check that istiod is Ready and, on a remote cluster, that its remote secret is linked (link-secret) and its istio-system carries topology.istio.io/controlPlaneClusters';
  }
  return 'create the object the volume names, or mark the volume optional';
}

function createFix(message: string): string {
  if (message.includes('failed calling webhook') && message.includes('x509')) {
    return "the injection webhook has no caBundle that istiod's certificate chains to: istiod patches it on every cluster it serves, on a remote cluster only once the remote secret is linked (link-secret before anything there is injected)";
  }
  if (message.includes('failed calling webhook')) {
    return "the API server cannot reach the injection webhook: check that istiod is Ready and that its webhook has a caBundle; on a remote cluster, that the istiod Service's endpoint (remotePilotAddress) is local's east-west gateway and expose-istiod is applied there";
  }
  return 'fix what the message names in the pod template';
}

/** The kubelet retries a failed mount with backoff up to 2m2s: a FailedMount seen less long ago than this is still failing. */
const MOUNT_RETRY_MS = 130_000;

/** Whether a pod was made by its Deployment's current ReplicaSet (an old one's pods go when the rollout ends). */
function currentRevision(replicaSets: V1ReplicaSet[]): (pod: V1Pod) => boolean {
  const revision = (rs: V1ReplicaSet) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const newest = new Map<string, V1ReplicaSet>();
  for (const rs of replicaSets) {
    const deployment = rs.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.uid ?? '';
    const best = newest.get(deployment);
    if (!best || revision(rs) > revision(best)) newest.set(deployment, rs);
  }
  const current = new Set([...newest.values()].map((rs) => rs.metadata?.uid));
  const byUid = new Map(replicaSets.map((rs) => [rs.metadata?.uid, rs]));
  return (pod) => {
    const owner = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
    return !owner || !byUid.has(owner.uid) || current.has(owner.uid);
  };
}

/**
 * What in the namespace will not become Ready by waiting, among the pods of the Deployments'
 * current ReplicaSets: containers the kubelet backs off for good (image not found, crash loop),
 * volumes that have failed to mount for STUCK_AFTER_MS and are still failing, and Deployments whose
 * pods cannot be created (a webhook refusing them) for as long. One line each, with the event's
 * text and the fix.
 */
async function stuckWorkloads(client: ClusterClient, w: WorkloadWait): Promise<string[]> {
  const [pods, events, deployments, replicaSets] = await Promise.all([
    client.core.listNamespacedPod({ namespace: w.namespace, labelSelector: w.labelSelector }),
    client.core.listNamespacedEvent({ namespace: w.namespace }),
    client.apps.listNamespacedDeployment({ namespace: w.namespace, labelSelector: w.labelSelector }),
    client.apps.listNamespacedReplicaSet({ namespace: w.namespace }),
  ]);
  const current = currentRevision(replicaSets.items);
  const lines: string[] = [];
  for (const pod of pods.items.filter((p) => podCounts(p) && !podReady(p) && current(p))) {
    lines.push(...hopelessContainers(pod, events.items));
    const mount = events.items.find(
      (e) =>
        e.involvedObject.uid === pod.metadata?.uid &&
        e.reason === 'FailedMount' &&
        age(e.firstTimestamp ?? e.eventTime) >= STUCK_AFTER_MS &&
        age(e.lastTimestamp ?? e.eventTime) < MOUNT_RETRY_MS,
    );
    if (mount && pod.status?.phase === 'Pending') {
      lines.push(`Pod ${w.namespace}/${pod.metadata?.name}: FailedMount for ${Math.round(age(mount.firstTimestamp ?? mount.eventTime) / 1000)}s: ${mount.message}. Fix: ${mountFix(mount.message ?? '')}.`);
    }
  }
  for (const d of deployments.items.filter((x) => !deploymentReady(x))) {
    const failure = d.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (failure && age(failure.lastTransitionTime) >= STUCK_AFTER_MS) {
      lines.push(`Deployment ${w.namespace}/${d.metadata?.name}: its pods cannot be created (${failure.reason}: ${failure.message}). Fix: ${createFix(failure.message ?? '')}.`);
    }
  }
  return lines;
}

/**
 * Waits for every Deployment of the namespace to be available, then every pod to be Ready. An
 * empty namespace is not done (an install that created nothing is not ready) unless `allowEmpty`.
 * Fails at once, naming the fix, when a pod cannot start without one (stuckWorkloads).
 */
export async function waitForWorkloads(client: ClusterClient, w: WorkloadWait): Promise<{ deployments: number; pods: number }> {
  const started = Date.now();
  const prefix = w.label ? `${w.label} ` : '';
  const where = `in ${w.namespace} on ${client.context}`;
  const deployments = await waitFor<V1Deployment>({
    client,
    what: `${prefix}Deployments ${where}`,
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespace: w.namespace },
    labelSelector: w.labelSelector,
    timeoutMs: w.timeoutMs,
    check: (items) => {
      if (items.length === 0) return { done: !!w.allowEmpty, progress: 'no Deployments yet' };
      const ready = items.filter(deploymentReady).length;
      return { done: ready === items.length, progress: `${ready} of ${items.length} Deployments available` };
    },
    explain: (items) =>
      Promise.all(items.filter((d) => !deploymentReady(d)).map((d) => withEvents(client, d, 'Deployment', deploymentNotReadyReason(d)))),
    stuck: () => stuckWorkloads(client, w),
  });
  const pods = await waitFor<V1Pod>({
    client,
    what: `${prefix}pods ${where}`,
    resource: { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespace: w.namespace },
    labelSelector: w.labelSelector,
    timeoutMs: Math.max(1, w.timeoutMs - (Date.now() - started)),
    check: (items) => {
      const counted = items.filter(podCounts);
      if (counted.length === 0) return { done: !!w.allowEmpty, progress: 'no pods yet' };
      const ready = counted.filter(podReady).length;
      return { done: ready === counted.length, progress: `${ready} of ${counted.length} pods Ready` };
    },
    explain: (items) =>
      Promise.all(items.filter((p) => podCounts(p) && !podReady(p)).map((p) => withEvents(client, p, 'Pod', podNotReadyReason(p)))),
    stuck: () => stuckWorkloads(client, w),
  });
  return { deployments: deployments.length, pods: pods.filter(podCounts).length };
}

/** The first ingress address (IP or hostname) of a LoadBalancer Service. */
export function loadBalancerAddress(svc: V1Service): string | undefined {
  const ingress = svc.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip ?? ingress?.hostname;
}

/** Waits until the Service has a load-balancer address and returns it. */
export async function waitForLoadBalancer(client: ClusterClient, namespace: string, name: string, timeoutMs: number): Promise<string> {
  const [svc] = await waitFor<V1Service>({
    client,
    what: `a load-balancer address for Service ${namespace}/${name} on ${client.context}`,
    resource: { apiVersion: 'v1', kind: 'Service', plural: 'services', namespace },
    fieldSelector: `metadata.name=${name}`,
    timeoutMs,
    check: (items) => {
      const address = items[0] && loadBalancerAddress(items[0]);
      return { done: !!address, progress: items[0] ? 'no ingress address yet' : 'Service does not exist yet' };
    },
    explain: async (items) =>
      items.length === 0
        ? [`Service ${namespace}/${name} does not exist: the install step did not create it`]
        : [
            await withEvents(
              client,
              items[0],
              'Service',
              `type ${items[0].spec?.type}, no status.loadBalancer.ingress: the cluster has no load-balancer controller serving it`,
            ),
          ],
  });
  return loadBalancerAddress(svc) as string;
}

/** Waits until the Secret has all the named data keys (e.g. a service-account token filled in by the controller). */
export async function waitForSecretKeys(client: ClusterClient, namespace: string, name: string, keys: string[], timeoutMs: number): Promise<V1Secret> {
  const [secret] = await waitFor<V1Secret>({
    client,
    what: `Secret ${namespace}/${name} to hold ${keys.join(', ')} on ${client.context}`,
    resource: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespace },
    fieldSelector: `metadata.name=${name}`,
    timeoutMs,
    check: (items) => {
      const missing = keys.filter((k) => !items[0]?.data?.[k]);
      return { done: items.length === 1 && missing.length === 0, progress: items[0] ? `missing ${missing.join(', ')}` : 'Secret does not exist yet' };
    },
    explain: async () => [
      `Secret ${namespace}/${name}: the token controller (kube-controller-manager serviceaccount-token) has not filled it in; check that it runs`,
    ],
    mustExist: {
      name,
      whyGone: 'the token controller deletes a token Secret whose service account does not exist. Check the service account and its namespace, then retry.',
    },
  });
  return secret;
}

/** Waits until no object of the resource with one of these names remains (e.g. Namespaces, CRDs after delete). */
export async function waitForGone(client: ClusterClient, resource: WatchedResource, names: string[], timeoutMs: number): Promise<void> {
  const wanted = new Set(names);
  if (wanted.size === 0) return;
  const [only] = names;
  const left = (items: KubernetesObject[]) => items.filter((o) => wanted.has(o.metadata?.name ?? ''));
  await waitFor<KubernetesObject>({
    client,
    what:
      wanted.size === 1
        ? `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${only} to be deleted on ${client.context}`
        : `${wanted.size} ${resource.kind}s to be deleted on ${client.context}`,
    resource,
    fieldSelector: wanted.size === 1 ? `metadata.name=${only}` : undefined,
    timeoutMs,
    check: (items) => {
      const n = left(items).length;
      return { done: n === 0, progress: `${n} of ${wanted.size} still present` };
    },
    explain: async (items) =>
      left(items).map((o) => {
        const status = (o as { status?: { conditions?: { type: string; status: string; message?: string }[] } }).status;
        const conditions = (status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}: ${c.message ?? ''}`);
        return (
          `${resource.kind} ${o.metadata?.name}: finalizers ${JSON.stringify(o.metadata?.finalizers ?? [])}, deleting since ${String(o.metadata?.deletionTimestamp ?? 'never')}` +
          (conditions.length ? `; ${conditions.join('; ')}` : '')
        );
      }),
  });
}

/** Waits until every named CRD reports Established. */
export async function waitForCrdsEstablished(client: ClusterClient, names: string[], timeoutMs: number): Promise<void> {
  if (names.length === 0) return;
  const wanted = new Set(names);
  await waitFor<V1CustomResourceDefinition>({
    client,
    what: `${names.length} CRDs to be Established on ${client.context}`,
    resource: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions' },
    timeoutMs,
    check: (items) => {
      const established = items.filter((c) => wanted.has(c.metadata?.name ?? '') && crdEstablished(c)).length;
      return { done: established === wanted.size, progress: `${established} of ${wanted.size} CRDs Established` };
    },
    explain: async (items) => {
      const byName = new Map(items.map((c) => [c.metadata?.name ?? '', c]));
      return names
        .filter((n) => !byName.get(n) || !crdEstablished(byName.get(n) as V1CustomResourceDefinition))
        .map((n) => {
          const crd = byName.get(n);
          if (!crd) return `CustomResourceDefinition ${n}: missing`;
          const conds = (crd.status?.conditions ?? []).map((c) => `${c.type}=${c.status}${c.message ? `: ${c.message}` : ''}`);
          return `CustomResourceDefinition ${n}: ${conds.join('; ') || 'no conditions yet'}`;
        });
    },
  });
}

/**
 * Waits until istiod has patched its CA into every webhook of the MutatingWebhookConfiguration:
 * the sign that it serves injection for that cluster (on a remote, through the remote secret).
 */
export async function waitForWebhookCaBundle(client: ClusterClient, name: string, timeoutMs: number, hint: string): Promise<void> {
  const patched = (m: V1MutatingWebhookConfiguration | undefined) => !!m && (m.webhooks ?? []).length > 0 && (m.webhooks ?? []).every((w) => !!w.clientConfig.caBundle);
  await waitFor<V1MutatingWebhookConfiguration>({
    client,
    what: `istiod to patch its CA into MutatingWebhookConfiguration ${name} on ${client.context}`,
    resource: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations' },
    fieldSelector: `metadata.name=${name}`,
    timeoutMs,
    check: (items) => ({ done: patched(items[0]), progress: items[0] ? 'no caBundle yet' : 'it does not exist' }),
    explain: async () => [hint],
  });
}

/** Waits until the ConfigMap exists (e.g. istio-ca-root-cert, which istiod writes). */
export async function waitForConfigMap(client: ClusterClient, namespace: string, name: string, timeoutMs: number, hint: string): Promise<void> {
  await waitFor<V1ConfigMap>({
    client,
    what: `ConfigMap ${namespace}/${name} on ${client.context}`,
    resource: { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespace },
    fieldSelector: `metadata.name=${name}`,
    timeoutMs,
    check: (items) => ({ done: items.length === 1, progress: 'it does not exist yet' }),
    explain: async () => [hint],
  });
}

/** Waits until the namespace runs no pod (of the selector) any more: their Deployments deleted, their pods gone. */
export async function waitForWorkloadsGone(client: ClusterClient, namespace: string, timeoutMs: number, labelSelector?: string): Promise<void> {
  await waitFor<V1Pod>({
    client,
    what: `the pods${labelSelector ? ` (${labelSelector})` : ''} in ${namespace} on ${client.context} to be deleted`,
    resource: { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespace },
    labelSelector,
    timeoutMs,
    check: (items) => ({ done: items.length === 0, progress: `${items.length} pods left` }),
    explain: async (items) => items.map((p) => `Pod ${namespace}/${p.metadata?.name}: ${p.status?.phase}, deleting since ${String(p.metadata?.deletionTimestamp ?? 'never')}`),
  });
}
