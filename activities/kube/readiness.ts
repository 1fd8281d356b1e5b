import type { CoreV1Event, V1CustomResourceDefinition, V1Deployment, V1Pod } from '@kubernetes/client-node';

export function podReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !!pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Pods that finished (Jobs), failed or were evicted (phase Failed: their ReplicaSet makes a new
 * one), or are being deleted are not waited for.
 */
export function podCounts(pod: V1Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Container states the kubelet only leaves when someone fixes the pod spec, the image or the program. */
const HOPELESS_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'CrashLoopBackOff', 'CreateContainerConfigError']);

/**
 * A pull the registry answered for good: the image or tag does not exist, or access is denied.
 * Anything else (429 Too Many Requests, a timeout) the kubelet's backoff may still get past. The
 * first failed pull (ErrImagePull) already says which: no need to wait for the backoff.
 */
const PULL_STATES = new Set(['ErrImagePull', 'ImagePullBackOff']);
const PULL_REFUSED = /not found|manifest unknown|NotFound|does not exist|unauthorized|denied|forbidden|invalid reference/i;

function hopeless(reason: string, message: string | undefined): boolean {
  if (!HOPELESS_WAITING.has(reason)) return false;
  return !PULL_STATES.has(reason) || PULL_REFUSED.test(message ?? '');
}

/** What to do about a container that waits in one of those states. */
function waitingFix(reason: string, image: string | undefined, container: string, pod: V1Pod): string {
  const ref = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  if (reason === 'CrashLoopBackOff') return `container ${container} keeps exiting: read its log (kubectl logs -n ${pod.metadata?.namespace} ${pod.metadata?.name} -c ${container} --previous) and fix what it reports`;
  if (reason === 'CreateContainerConfigError') return `container ${container} refers to a ConfigMap or Secret key that does not exist: create it or fix the pod spec`;
  if (image === 'auto') {
    return `image "auto" is a placeholder that Istio's injection webhook replaces: the pod was created before istiod's webhook served it (or the webhook could not reach istiod). Check that istiod is Ready and its webhook has a caBundle, then delete pod ${ref}`;
  }
  return `image ${image} cannot be pulled: if it is an Istio image, check that the spec's istio version and hub name a published release (e.g. istio=1.31.0 hub=registry.istio.io/release); otherwise that the cluster's nodes can reach the registry`;
}

/** When an event last happened (ms): its lastTimestamp, else its eventTime (events.k8s.io), else its firstTimestamp; 0 when it has none. */
function eventTime(e: CoreV1Event): number {
  const at = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;
  const ms = at === undefined ? NaN : new Date(at).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * The kubelet's latest event about the container's state, if any: "Failed to pull image …" for an
 * image that does not pull, "Back-off restarting failed container …" for a crash loop.
 */
function kubeletEvent(events: CoreV1Event[], pod: V1Pod, reason: string, container: string, image: string | undefined): string | undefined {
  const about = PULL_STATES.has(reason)
    ? (e: CoreV1Event) => e.reason === 'Failed' && !!e.message?.startsWith(`Failed to pull image "${image}"`)
    : reason === 'CrashLoopBackOff'
      ? (e: CoreV1Event) => e.reason === 'BackOff' && !!e.message?.startsWith(`Back-off restarting failed container ${container} `)
      : () => false;
  const mine = events.filter((e) => e.involvedObject?.uid === pod.metadata?.uid && about(e));
  const last = mine.sort((a, b) => eventTime(a) - eventTime(b)).at(-1);
  return last ? `${last.reason}: ${last.message}` : undefined;
}

/**
 * Lines for the containers of a pod that wait in a state the kubelet will not leave by itself,
 * quoting the kubelet's event about it (from `events`, the pod's namespace's) and the fix.
 */
export function hopelessContainers(pod: V1Pod, events: CoreV1Event[] = []): string[] {
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].flatMap((cs) => {
    const waiting = cs.state?.waiting;
    if (!waiting?.reason || !hopeless(waiting.reason, waiting.message)) return [];
    const image = specs.find((c) => c.name === cs.name)?.image;
    const ref = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const event = kubeletEvent(events, pod, waiting.reason, cs.name, image);
    // the kubelet records its event as it sets the state: fail on ErrImagePull once the event can be quoted
    if (waiting.reason === 'ErrImagePull' && !event) return [];
    const exit = waiting.reason === 'CrashLoopBackOff' && cs.lastState?.terminated ? `; last exit code ${cs.lastState.terminated.exitCode}` : '';
    return [
      `Pod ${ref}: container ${cs.name} is in ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}${exit}${event ? `; event ${event}` : ''}. Fix: ${waitingFix(waiting.reason, image, cs.name, pod)}.`,
    ];
  });
}

/** Why a pod is not Ready, from its own status: phase, false conditions, waiting containers. */
export function podNotReadyReason(pod: V1Pod): string {
  const parts = [`phase ${pod.status?.phase ?? 'unknown'}`];
  for (const c of pod.status?.conditions ?? []) {
    if (c.status !== 'True') parts.push(`${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`);
  }
  for (const cs of pod.status?.containerStatuses ?? []) {
    const waiting = cs.state?.waiting;
    if (waiting) parts.push(`container ${cs.name} waiting: ${waiting.reason ?? ''}${waiting.message ? ` ${waiting.message}` : ''}`);
  }
  if (pod.spec?.nodeName) parts.push(`on node ${pod.spec.nodeName}`);
  else if (pod.spec?.nodeSelector) parts.push(`nodeSelector ${JSON.stringify(pod.spec.nodeSelector)}`);
  return parts.join('; ');
}

export function deploymentReady(d: V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    (s?.updatedReplicas ?? 0) >= want &&
    (s?.readyReplicas ?? 0) >= want &&
    (s?.availableReplicas ?? 0) >= want
  );
}

export function deploymentNotReadyReason(d: V1Deployment): string {
  const s = d.status;
  const parts = [`${s?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1} replicas ready`];
  for (const c of s?.conditions ?? []) {
    if (c.status !== 'True' || c.type === 'ReplicaFailure') parts.push(`${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`);
  }
  return parts.join('; ');
}

export function crdEstablished(crd: V1CustomResourceDefinition): boolean {
  return !!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
}
