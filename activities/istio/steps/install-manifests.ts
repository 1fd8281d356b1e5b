import type { MeshSpec } from '../../../common/mesh-spec';
import { clusterName } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { KubeObject } from '../../kube/kube-object';
import { renderIstioOperator } from '../istioctl';
import { meshNetworksFor, type MeshNetworks } from '../mesh-networks';
import { exposeIstiod, istioNamespace } from '../mesh-objects';
import { eastWestGatewayOverlay, localControlPlaneOverlay, remoteOverlay } from '../operator-overlays';

/** The seed's network2 entry with the given gateway address (the placeholder until patch-gateway). */
export function seedMeshNetworks(spec: MeshSpec, gatewayAddress: string): MeshNetworks {
  const profile = PROFILES[spec.istio.profile];
  return meshNetworksFor(spec.remote.network, clusterName(spec.remote), gatewayAddress, profile.crossNetworkPort);
}

/** Everything install-local applies except cacerts: namespace, control plane, east-west gateway, istiod exposure. */
export async function localInstallManifests(istioctlPath: string, spec: MeshSpec, gatewayAddress: string): Promise<KubeObject[]> {
  const [controlPlane, gateway] = await Promise.all([
    renderIstioOperator(istioctlPath, localControlPlaneOverlay(spec, seedMeshNetworks(spec, gatewayAddress)), 'local control plane'),
    renderIstioOperator(istioctlPath, eastWestGatewayOverlay(spec, 'local'), 'local east-west gateway'),
  ]);
  return [istioNamespace(spec, 'local'), ...controlPlane, ...gateway, ...exposeIstiod()];
}

/** Everything install-remote applies except cacerts: namespace, remote profile pointing at local's istiod, east-west gateway. */
export async function remoteInstallManifests(istioctlPath: string, spec: MeshSpec, remotePilotAddress: string): Promise<KubeObject[]> {
  const [remote, gateway] = await Promise.all([
    renderIstioOperator(istioctlPath, remoteOverlay(spec, remotePilotAddress), 'remote profile'),
    renderIstioOperator(istioctlPath, eastWestGatewayOverlay(spec, 'remote'), 'remote east-west gateway'),
  ]);
  return [istioNamespace(spec, 'remote'), ...remote, ...gateway];
}
