import type { MeshSpec } from '../../common/mesh-spec';
import { clusterName } from '../../common/mesh-spec';
import { PROFILES } from '../../common/profiles';
import type { MeshNetworks } from './mesh-networks';

/** The east-west gateway's name, Service and labels (Istio's samples/multicluster conventions). */
export const EAST_WEST_GATEWAY = {
  name: 'istio-eastwestgateway',
  selector: { istio: 'eastwestgateway' },
} as const;

/** Control plane on `local`: istiod for both clusters, serving the remote as an external istiod. */
export function localControlPlaneOverlay(spec: MeshSpec, meshNetworks: MeshNetworks): object {
  const profile = PROFILES[spec.istio.profile];
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    spec: {
      profile: profile.localIstioctlProfile,
      values: {
        pilot: { env: { EXTERNAL_ISTIOD: true } },
        global: {
          meshID: spec.meshId,
          multiCluster: { clusterName: clusterName(spec.local) },
          network: spec.local.network,
          meshNetworks: meshNetworks.networks,
        },
      },
    },
  };
}

/** Remote profile on `remote`: no istiod, config and injection served by local's istiod at remotePilotAddress. */
export function remoteOverlay(spec: MeshSpec, remotePilotAddress: string): object {
  const profile = PROFILES[spec.istio.profile];
  const name = clusterName(spec.remote);
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    spec: {
      profile: profile.remoteIstioctlProfile,
      values: {
        istiodRemote: { injectionPath: `/inject/cluster/${name}/net/${spec.remote.network}` },
        global: {
          meshID: spec.meshId,
          multiCluster: { clusterName: name },
          network: spec.remote.network,
          remotePilotAddress,
        },
      },
    },
  };
}

/** The east-west gateway of one network: cross-network traffic on 15443, istiod on 15012/15017. */
export function eastWestGatewayOverlay(spec: MeshSpec, side: 'local' | 'remote'): object {
  const { network } = spec[side];
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'eastwest' },
    spec: {
      profile: 'empty',
      components: {
        ingressGateways: [
          {
            name: EAST_WEST_GATEWAY.name,
            enabled: true,
            label: { ...EAST_WEST_GATEWAY.selector, app: EAST_WEST_GATEWAY.name, 'topology.istio.io/network': network },
            k8s: {
              env: [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network }],
              service: {
                ports: [
                  { name: 'status-port', port: 15021, targetPort: 15021 },
                  { name: 'tls', port, targetPort: port },
                  { name: 'tls-istiod', port: 15012, targetPort: 15012 },
                  { name: 'tls-webhook', port: 15017, targetPort: 15017 },
                ],
              },
            },
          },
        ],
      },
      values: {
        gateways: { 'istio-ingressgateway': { injectionTemplate: 'gateway' } },
        global: { meshID: spec.meshId, network, multiCluster: { clusterName: clusterName(spec[side]) } },
      },
    },
  };
}
