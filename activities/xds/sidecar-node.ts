import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import type { ProtoStruct, ProtoValue, XdsNode } from './xds-types';

const str = (value: string): ProtoValue => ({ stringValue: value });

/** An env var's value as the kubelet resolves it for the fields a sidecar's ISTIO_META_* use. */
function envValue(pod: V1Pod, v: V1EnvVar): string | undefined {
  if (v.value !== undefined) return v.value;
  const path = v.valueFrom?.fieldRef?.fieldPath;
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata?.name,
    'metadata.namespace': pod.metadata?.namespace,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': pod.status?.podIP,
    'status.hostIP': pod.status?.hostIP,
  };
  return path ? fields[path] : undefined;
}

/** The istio-proxy container injected into the pod, or undefined when the pod was not injected. */
export function sidecarContainer(pod: V1Pod): V1Container | undefined {
  return pod.spec?.containers?.find((c) => c.name === 'istio-proxy');
}

/** The Istio version a proxy reports: its image's tag (proxyv2:1.31.0 → 1.31.0). */
function proxyVersion(container: V1Container): string {
  return /:([^:/@]+)(@.*)?$/.exec(container.image ?? '')?.[1] ?? '';
}

/**
 * The Node a pod's sidecar sends istiod, as pilot-agent builds it: id
 * `sidecar~<podIP>~<pod>.<ns>~<ns>.svc.cluster.local`, and metadata from the injected container's
 * ISTIO_META_* env (network, cluster id, mesh id…) and the pod itself (namespace, name, labels,
 * instance IPs, service account), plus the proxy's Istio version.
 */
export function sidecarNode(pod: V1Pod, domain = 'cluster.local'): XdsNode {
  const container = sidecarContainer(pod);
  if (!container) throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} has no istio-proxy container: it was not injected`);
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  const fields: Record<string, ProtoValue> = {};
  for (const v of container.env ?? []) {
    const value = envValue(pod, v);
    if (v.name.startsWith('ISTIO_META_') && value !== undefined) fields[v.name.slice('ISTIO_META_'.length)] = str(value);
  }
  Object.assign(fields, {
    NAMESPACE: str(namespace),
    NAME: str(name),
    SERVICE_ACCOUNT: str(pod.spec?.serviceAccountName ?? 'default'),
    INSTANCE_IPS: str((ips.length > 0 ? ips : [pod.status?.podIP ?? '']).join(',')),
    LABELS: { structValue: { fields: Object.fromEntries(Object.entries(pod.metadata?.labels ?? {}).map(([k, v]) => [k, str(v)])) } },
    ISTIO_VERSION: str(proxyVersion(container)),
    NODE_NAME: str(pod.spec?.nodeName ?? ''),
  });
  const metadata: ProtoStruct = { fields };
  const workload = (fields.WORKLOAD_NAME as { stringValue?: string } | undefined)?.stringValue ?? name;
  return {
    id: `sidecar~${pod.status?.podIP}~${name}.${namespace}~${namespace}.svc.${domain}`,
    cluster: `${workload}.${namespace}`,
    metadata,
  };
}

/** A metadata string field, for messages ("network1"). */
export function nodeField(node: XdsNode, key: string): string | undefined {
  const v = node.metadata.fields[key];
  return v && 'stringValue' in v ? v.stringValue : undefined;
}
