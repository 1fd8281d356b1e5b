import type { V1ConfigMap } from '@kubernetes/client-node';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import type { ClusterClient } from '../../kube/cluster-client';
import { kubeCall } from '../../kube/kube-failure';
import { waitForLoadBalancer } from '../../kube/waits';
import { ISTIO_NAMESPACE } from '../istioctl';
import { gatewayAddressOf, parseMeshNetworks, renderMeshNetworks, withGatewayAddress } from '../mesh-networks';
import { EAST_WEST_GATEWAY } from '../operator-overlays';
import { ISTIO_CONFIGMAP } from './install-steps';
import type { StepContext } from './step-context';

/**
 * Compare-and-patch of meshNetworks: read the ConfigMap, change only the network's gateway
 * address, write it back with the resourceVersion read (a concurrent writer makes it 409, which
 * retries), and skip the write when the address is already there.
 */
export async function setGatewayAddress(
  local: ClusterClient,
  network: string,
  port: number,
  address: string,
): Promise<{ changed: boolean; previous: string | undefined }> {
  const object = `ConfigMap ${ISTIO_NAMESPACE}/${ISTIO_CONFIGMAP}`;
  const cm: V1ConfigMap = await kubeCall({ verb: 'read', object, context: local.context }, () =>
    local.core.readNamespacedConfigMap({ name: ISTIO_CONFIGMAP, namespace: ISTIO_NAMESPACE }),
  );
  const current = parseMeshNetworks(cm.data?.meshNetworks);
  const previous = gatewayAddressOf(current, network, port);
  const next = withGatewayAddress(current, network, port, address);
  if (next === current) return { changed: false, previous };
  const body: V1ConfigMap = { ...cm, data: { ...cm.data, meshNetworks: renderMeshNetworks(next) } };
  await kubeCall({ verb: 'update', object, context: local.context }, () =>
    local.core.replaceNamespacedConfigMap({ name: ISTIO_CONFIGMAP, namespace: ISTIO_NAMESPACE, body, fieldManager: 'meshops' }),
  );
  return { changed: true, previous };
}

export async function patchGateway(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  const address = await waitForLoadBalancer(remote, ISTIO_NAMESPACE, EAST_WEST_GATEWAY.name, ctx.timeouts.loadBalancerMs);
  const { changed, previous } = await setGatewayAddress(local, spec.remote.network, port, address);
  return {
    summary: changed
      ? `meshNetworks ${spec.remote.network} gateway ${previous ?? 'none'} → ${address}:${port} on ${local.context}`
      : `meshNetworks ${spec.remote.network} gateway already ${address}:${port} on ${local.context}`,
    facts: { remoteGatewayAddress: address },
  };
}
