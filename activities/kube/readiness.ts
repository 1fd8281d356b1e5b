import type { V1CustomResourceDefinition, V1Deployment, V1Pod } from '@kubernetes/client-node';

export function podReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !!pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Pods that finished (Jobs) or are being deleted are not waited for. */
export function podCounts(pod: V1Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && !pod.metadata?.deletionTimestamp;
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
