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

/** istioctl's overlay that deletes the east-west Service's network label (a patch without a value deletes its path). */
const UNLABELLED_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  name: EAST_WEST_GATEWAY.name,
  patches: [{ path: 'metadata.labels.topology\\.istio\\.io/network' }],
};

/**
 * The east-west gateway of one network, as samples/multicluster/gen-eastwest-gateway.sh --network
 * renders it: cross-network traffic on 15443, istiod on 15012/15017. Its Deployment names
 * `image: auto` for the injection webhook to fill (the `gateway` template), so it is applied only
 * once istiod serves that cluster's webhook.
 *
 * One difference on the remote: its Service does not carry `topology.istio.io/network` (an
 * istioctl overlay deletes it; pods and selector keep it). istiod learns network2's gateway from
 * meshNetworks, which patch-gateway writes (the seed's step); a labelled Service as well would be
 * a second gateway for network2 (meshNetworks' has no cluster), and istiod scales every endpoint
 * weight by the LCM of gateways per network (pilot/pkg/model/network.go): one remote pod would
 * weigh 2, and a stale meshNetworks address would hide behind the discovered one.
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
              ...(side === 'remote' ? { overlays: [UNLABELLED_SERVICE] } : {}),
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
