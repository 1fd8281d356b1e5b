import { ApplicationFailure } from '@temporalio/common';
import type { MeshSpec } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { applyObjects } from '../../kube/apply';
import { KUBE_FAILURE, kubeCall } from '../../kube/kube-failure';
import { waitForLoadBalancer } from '../../kube/waits';
import { ISTIO_NAMESPACE } from '../istioctl';
import { gatewayAddressOf, parseMeshNetworks } from '../mesh-networks';
import { EAST_WEST_GATEWAY } from '../operator-overlays';
import { localControlPlane } from './install-manifests';
import { currentGatewayAddress, ISTIO_CONFIGMAP } from './install-steps';
import type { StepContext } from './step-context';

/**
 * Compare-and-patch of meshNetworks in the `istio` ConfigMap (`undefined` removes the address).
 * Compare: read the live address and stop when it is already the wanted one. Patch: re-render
 * istiod's ConfigMaps with the new address (the chart also records meshNetworks in
 * `istio-sidecar-injector` and `values`), so they stay exactly what install-local would apply and
 * a re-run of install-local changes nothing; the `istio` ConfigMap is applied carrying the
 * resourceVersion read, so a concurrent writer makes it 409 (retried) instead of being overwritten.
 */
export async function setGatewayAddress(
  ctx: StepContext,
  spec: MeshSpec,
  address: string | undefined,
): Promise<{ changed: boolean; previous: string | undefined }> {
  const local = ctx.local(spec);
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  const live = await kubeCall({ verb: 'read', object: `ConfigMap ${ISTIO_NAMESPACE}/${ISTIO_CONFIGMAP}`, context: local.context }, () =>
    local.core.readNamespacedConfigMap({ name: ISTIO_CONFIGMAP, namespace: ISTIO_NAMESPACE }),
  );
  const previous = gatewayAddressOf(parseMeshNetworks(live.data?.meshNetworks), spec.remote.network, port);
  if (previous === address) return { changed: false, previous };
  const configMaps = (await localControlPlane(ctx.deps.istioctlPath, spec, address, ['Pilot'])).Pilot.filter((o) => o.kind === 'ConfigMap');
  const rendered = configMaps.find((o) => o.metadata.name === ISTIO_CONFIGMAP);
  if (!rendered) {
    throw ApplicationFailure.nonRetryable(`istioctl rendered no ConfigMap ${ISTIO_NAMESPACE}/${ISTIO_CONFIGMAP} for ${spec.istio.profile}`, KUBE_FAILURE.invalid);
  }
  await applyObjects(local, [{ ...rendered, metadata: { ...rendered.metadata, resourceVersion: live.metadata?.resourceVersion } }]);
  await applyObjects(local, configMaps.filter((o) => o !== rendered));
  return { changed: true, previous };
}

export async function patchGateway(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  const address = await waitForLoadBalancer(remote, ISTIO_NAMESPACE, EAST_WEST_GATEWAY.name, ctx.timeouts.loadBalancerMs);
  const { changed, previous } = await setGatewayAddress(ctx, spec, address);
  const written = await currentGatewayAddress(local, spec.remote.network, port);
  if (written !== address) throw new Error(`meshNetworks on ${local.context} reads ${written ?? 'no address'} after writing ${address}; rerun patch-gateway`);
  return {
    summary: changed
      ? `meshNetworks ${spec.remote.network} gateway ${previous ?? 'none'} → ${address}:${port} on ${local.context}`
      : `meshNetworks ${spec.remote.network} gateway already ${address}:${port} on ${local.context}`,
    facts: { remoteGatewayAddress: address },
  };
}
