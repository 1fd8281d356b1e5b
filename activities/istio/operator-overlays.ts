import type { MeshSpec } from '../../common/mesh-spec';
import { clusterName } from '../../common/mesh-spec';
import { PROFILES } from '../../common/profiles';
import type { IstioOperatorOverlay } from './istioctl';
import type { MeshNetworks } from './mesh-networks';

/** The east-west gateway's name, Service and labels (Istio's samples/multicluster conventions). */
export const EAST_WEST_GATEWAY = {
  name: 'istio-eastwestgateway',
  selector: { istio: 'eastwestgateway' },
} as const;

/** The release's images, named explicitly (a dev istioctl would otherwise name its testing hub and `latest`). */
function images(spec: MeshSpec) {
  return { hub: spec.istio.hub, tag: spec.istio.version };
}

/** Control plane on `local`: istiod for both clusters, serving the remote as an external istiod. */
export function localControlPlaneOverlay(spec: MeshSpec, meshNetworks: MeshNetworks): IstioOperatorOverlay {
  const profile = PROFILES[spec.istio.profile];
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'meshops' },
    spec: {
      ...images(spec),
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
export function remoteOverlay(spec: MeshSpec, remotePilotAddress: string): IstioOperatorOverlay {
  const profile = PROFILES[spec.istio.profile];
  const name = clusterName(spec.remote);
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'meshops-remote' },
    spec: {
      ...images(spec),
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

/**
 * The east-west gateway of one network, as samples/multicluster/gen-eastwest-gateway.sh --network
 * renders it: cross-network traffic on 15443, istiod on 15012/15017. Its Deployment names
 * `image: auto` for the injection webhook to fill (the `gateway` template), so it is applied only
 * once istiod serves that cluster's webhook.
 */
export function eastWestGatewayOverlay(spec: MeshSpec, side: 'local' | 'remote'): IstioOperatorOverlay {
  const { network } = spec[side];
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'meshops-eastwest' },
    spec: {
      ...images(spec),
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
