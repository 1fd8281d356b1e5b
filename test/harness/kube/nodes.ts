import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';

/** One fake node that kwok plays the kubelet for. */
export interface FakeNode {
  name: string;
  /** Recorded as the node's InternalIP; never contacted. */
  ip: string;
  /** kwok gives the node's pods their IPs from here. */
  podCidr: string;
}

/** The annotation kwok is started to manage (`--manage-nodes-with-annotation-selector`). */
export const kwokNodeAnnotation = 'kwok.x-k8s.io/node';

function nodeObject(cluster: string, node: FakeNode): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      annotations: { [kwokNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'kwok',
        'topology.kubernetes.io/region': `meshops-${cluster}`,
        'topology.kubernetes.io/zone': `meshops-${cluster}-a`,
        type: 'kwok',
      },
    },
    spec: { podCIDR: node.podCidr, podCIDRs: [node.podCidr] },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'Hostname', address: node.name },
      ],
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  };
}

/** Registers the nodes (kwok then reports them Ready and keeps their heartbeat). */
export async function createFakeNodes(kc: KubeConfig, cluster: string, nodes: FakeNode[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await Promise.all(nodes.map((node) => core.createNode({ body: nodeObject(cluster, node) })));
}

/** `true` when every named node reports Ready, else a description of those that do not. */
export async function nodesReady(kc: KubeConfig, names: string[]): Promise<true | string> {
  const { items } = await kc.makeApiClient(CoreV1Api).listNode();
  const notReady = names.filter((name) => {
    const node = items.find((n) => n.metadata?.name === name);
    return !node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  });
  return notReady.length === 0 ? true : `nodes not Ready: ${notReady.join(', ')}`;
}
