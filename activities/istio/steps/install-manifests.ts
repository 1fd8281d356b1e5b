import type { MeshSpec } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { KubeObject } from '../../kube/kube-object';
import { renderComponents, type IstioComponent } from '../istioctl';
import { meshNetworksFor, type MeshNetworks } from '../mesh-networks';
import { exposeIstiod, exposeServices } from '../mesh-objects';
import { eastWestGatewayOverlay, localControlPlaneOverlay, remoteOverlay } from '../operator-overlays';

/** The seed's network2 entry, with the remote gateway's address once patch-gateway knows it. */
export function seedMeshNetworks(spec: MeshSpec, gatewayAddress: string | undefined): MeshNetworks {
  const profile = PROFILES[spec.istio.profile];
  return meshNetworksFor(spec.remote.network, gatewayAddress, profile.crossNetworkPort);
}

/** The local control plane's components as `istioctl install` applies them: Base, then Pilot (istiod). */
export async function localControlPlane(
  istioctlPath: string,
  spec: MeshSpec,
  gatewayAddress: string | undefined,
  components: readonly IstioComponent[] = ['Base', 'Pilot'],
): Promise<Record<IstioComponent, KubeObject[]>> {
  return renderComponents(istioctlPath, localControlPlaneOverlay(spec, seedMeshNetworks(spec, gatewayAddress)), components, 'local control plane');
}

/**
 * What install-local applies once istiod is Ready, as istioctl applies gateways after Pilot: the
 * profile's ingress gateway, the east-west gateway, and the istiod and cross-network exposure.
 */
export async function localGateways(istioctlPath: string, spec: MeshSpec, gatewayAddress: string | undefined): Promise<KubeObject[]> {
  const [controlPlane, eastWest] = await Promise.all([
    localControlPlane(istioctlPath, spec, gatewayAddress, ['IngressGateways']),
    renderComponents(istioctlPath, eastWestGatewayOverlay(spec, 'local'), ['IngressGateways'], 'local east-west gateway'),
  ]);
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  return [...controlPlane.IngressGateways, ...eastWest.IngressGateways, ...exposeIstiod(), ...exposeServices(port)];
}

/** The remote profile pointing at local's istiod through remotePilotAddress: Base, then its webhook and reader identity. */
export async function remoteProfile(istioctlPath: string, spec: MeshSpec, remotePilotAddress: string): Promise<KubeObject[]> {
  const { Base, Pilot } = await renderComponents(istioctlPath, remoteOverlay(spec, remotePilotAddress), ['Base', 'Pilot'], 'remote profile');
  return [...Base, ...Pilot];
}

/** The remote east-west gateway: its pod can be injected only once istiod, watching the remote through the remote secret, has patched the remote's webhook. */
export async function remoteGateway(istioctlPath: string, spec: MeshSpec): Promise<KubeObject[]> {
  return (await renderComponents(istioctlPath, eastWestGatewayOverlay(spec, 'remote'), ['IngressGateways'], 'remote east-west gateway')).IngressGateways;
}
