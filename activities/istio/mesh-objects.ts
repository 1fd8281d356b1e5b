import type { MeshSpec } from '../../common/mesh-spec';
import { clusterName } from '../../common/mesh-spec';
import type { KubeObject } from '../kube/kube-object';
import type { Cacerts } from './mesh-ca';
import { ISTIO_NAMESPACE } from './istioctl';
import { EAST_WEST_GATEWAY } from './operator-overlays';

/** Labels every object meshops creates outside istioctl's output, so cleanup and audits can find them. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'meshops' } as const;

/**
 * istio-system with the cluster's network label. On remote it also names the cluster whose istiod
 * runs its control plane: without `topology.istio.io/controlPlaneClusters` an external istiod
 * neither patches the remote's injection webhook nor writes istio-ca-root-cert there.
 */
export function istioNamespace(spec: MeshSpec, side: 'local' | 'remote'): KubeObject {
  const annotations = side === 'remote' ? { 'topology.istio.io/controlPlaneClusters': clusterName(spec.local) } : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ISTIO_NAMESPACE,
      labels: { 'topology.istio.io/network': spec[side].network, ...MANAGED_BY },
      ...(annotations ? { annotations } : {}),
    },
  };
}

export const CACERTS_SECRET = 'cacerts';

export function cacertsSecret(files: Cacerts): KubeObject {
  const data = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: CACERTS_SECRET, namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } },
    data,
  };
}

/** Istio's samples/multicluster/expose-services.yaml: every `*.local` service reachable from other networks on 15443. */
export function exposeServices(crossNetworkPort: number): KubeObject[] {
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'cross-network-gateway', namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } },
      spec: {
        selector: { ...EAST_WEST_GATEWAY.selector },
        servers: [{ port: { number: crossNetworkPort, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }],
      },
    },
  ];
}

/** Istio's samples/multicluster/expose-istiod.yaml: the remote reaches istiod through local's east-west gateway. */
export function exposeIstiod(): KubeObject[] {
  const tlsServer = (name: string, number: number) => ({ port: { name, number, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] });
  const route = (port: number, targetPort: number) => ({
    match: [{ port, sniHosts: ['*'] }],
    route: [{ destination: { host: `istiod.${ISTIO_NAMESPACE}.svc.cluster.local`, port: { number: targetPort } } }],
  });
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'istiod-gateway', namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } },
      spec: { selector: { ...EAST_WEST_GATEWAY.selector }, servers: [tlsServer('tls-istiod', 15012), tlsServer('tls-istiodwebhook', 15017)] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'istiod-vs', namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } },
      spec: { hosts: ['*'], gateways: ['istiod-gateway'], tls: [route(15012, 15012), route(15017, 443)] },
    },
  ];
}
