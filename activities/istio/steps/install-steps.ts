import { ApplicationFailure } from '@temporalio/common';
import { clusterName } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { applyObjects } from '../../kube/apply';
import type { ClusterClient } from '../../kube/cluster-client';
import { isNotFound, kubeFailure } from '../../kube/kube-failure';
import { budget } from '../../kube/budget';
import { applyNamespace } from '../../kube/namespaces';
import { waitForWebhookCaBundle, waitForWorkloads } from '../../kube/waits';
import { checkIstioctlVersion, ISTIO_NAMESPACE } from '../istioctl';
import { gatewayAddressOf, parseMeshNetworks } from '../mesh-networks';
import { istioNamespace } from '../mesh-objects';
import { ensureCacerts } from '../root-ca-store';
import { localControlPlane, localGateways, remoteProfile } from './install-manifests';
import type { StepContext } from './step-context';

/** The `istio` ConfigMap istiod reads meshNetworks from. */
export const ISTIO_CONFIGMAP = 'istio';
/** The injection webhook configuration istiod patches with its CA (on every cluster it serves). */
export const INJECTOR_WEBHOOK = 'istio-sidecar-injector';

/** The network2 gateway address meshNetworks holds now, so a re-run of install-local keeps patch-gateway's work. */
export async function currentGatewayAddress(local: ClusterClient, network: string, port: number): Promise<string | undefined> {
  try {
    const cm = await local.core.readNamespacedConfigMap({ name: ISTIO_CONFIGMAP, namespace: ISTIO_NAMESPACE });
    return gatewayAddressOf(parseMeshNetworks(cm.data?.meshNetworks), network, port);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw kubeFailure(err, { verb: 'read', object: `ConfigMap ${ISTIO_NAMESPACE}/${ISTIO_CONFIGMAP}`, context: local.context });
  }
}

/**
 * `istioctl install` of the primary, in its order: Base and Pilot, then, once istiod is Ready and
 * has patched its injection webhook, the gateways (whose `image: auto` only that webhook fills),
 * istiod's exposure for the remote and the cross-network Gateway. The plug-in CA goes first.
 */
export async function installLocal(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const istioctl = await checkIstioctlVersion(ctx.deps.istioctlPath, spec, ctx.deps.allowDevIstioctl);
  const local = ctx.local(spec);
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  const gatewayAddress = await currentGatewayAddress(local, spec.remote.network, port);
  const { Base, Pilot } = await localControlPlane(ctx.deps.istioctlPath, spec, gatewayAddress);
  await applyNamespace(local, istioNamespace(spec, 'local'));
  const cacerts = await ensureCacerts(local, ctx.deps.rootCa, clusterName(spec.local), spec.meshId);
  const applied = [...(await applyObjects(local, Base)), ...(await applyObjects(local, Pilot))];
  // One budget for both waits, so the step stays inside its activity's start-to-close.
  const left = budget(ctx.timeouts.rolloutMs);
  await waitForWorkloads(local, { namespace: ISTIO_NAMESPACE, labelSelector: 'app=istiod', timeoutMs: left(), label: 'istiod' });
  await waitForWebhookCaBundle(local, INJECTOR_WEBHOOK, left(), 'istiod is Ready but has not patched its injection webhook: read its log for the webhook controller');
  applied.push(...(await applyObjects(local, await localGateways(ctx.deps.istioctlPath, spec, gatewayAddress))));
  ctx.log.info({ context: local.context, objects: applied.length + 1, istioctl, cacerts }, 'install-local applied');
  return {
    summary:
      `${applied.length + 1} objects applied to ${local.context} (Istio ${spec.istio.version} from ${spec.istio.hub}, ${Base.length} Base, istiod Ready, then the gateways; cacerts ${cacerts}` +
      `; meshNetworks ${spec.remote.network} ${gatewayAddress ? `gateway ${gatewayAddress}:${port}` : 'without a gateway until patch-gateway'})`,
  };
}

/**
 * The remote profile (CRDs, the reader identity istiod uses through the remote secret, the
 * injection webhook that calls local's istiod at remotePilotAddress). No cacerts: the remote runs
 * no istiod. Its east-west gateway comes after link-secret (wait-remote), once istiod serves it.
 */
export async function installRemote(ctx: StepContext, { spec, facts }: StepInput): Promise<StepOutcome> {
  if (!facts.localGatewayAddress) {
    throw ApplicationFailure.nonRetryable(
      "install-remote needs local's gateway address (remotePilotAddress) and the run has none: run wait-local first.",
      'MissingFact',
    );
  }
  await checkIstioctlVersion(ctx.deps.istioctlPath, spec, ctx.deps.allowDevIstioctl);
  const remote = ctx.remote(spec);
  const objects = await remoteProfile(ctx.deps.istioctlPath, spec, facts.localGatewayAddress);
  await applyNamespace(remote, istioNamespace(spec, 'remote'));
  const applied = await applyObjects(remote, objects);
  ctx.log.info({ context: remote.context, objects: applied.length + 1 }, 'install-remote applied');
  return {
    summary: `${applied.length + 1} objects applied to ${remote.context} (remote profile, remotePilotAddress ${facts.localGatewayAddress}, network ${spec.remote.network}, control plane on ${clusterName(spec.local)})`,
  };
}
