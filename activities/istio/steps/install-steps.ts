import { ApplicationFailure } from '@temporalio/common';
import { clusterName } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { applyObjects } from '../../kube/apply';
import type { ClusterClient } from '../../kube/cluster-client';
import { isNotFound, kubeFailure } from '../../kube/kube-failure';
import { ISTIO_NAMESPACE } from '../istioctl';
import { gatewayAddressOf, parseMeshNetworks } from '../mesh-networks';
import { ensureCacerts, meshRootCa } from '../root-ca-store';
import { localInstallManifests, remoteInstallManifests } from './install-manifests';
import type { StepContext } from './step-context';

/** The `istio` ConfigMap istiod reads meshNetworks from. */
export const ISTIO_CONFIGMAP = 'istio';

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

export async function installLocal(ctx: StepContext, { spec, facts }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const profile = PROFILES[spec.istio.profile];
  const gatewayAddress =
    (await currentGatewayAddress(local, spec.remote.network, profile.crossNetworkPort)) ?? facts.remoteGatewayAddress ?? profile.gatewayPlaceholder;
  const manifests = await localInstallManifests(ctx.deps.istioctlPath, spec, gatewayAddress);
  const [namespace, ...rest] = manifests;
  await applyObjects(local, [namespace]);
  const root = await meshRootCa(local, spec.meshId, ctx.deps.rootCa, true);
  const cacerts = await ensureCacerts(local, root, clusterName(spec.local));
  const applied = await applyObjects(local, rest);
  const crds = rest.filter((o) => o.kind === 'CustomResourceDefinition').length;
  ctx.log.info({ context: local.context, objects: applied.length + 1, crds, cacerts }, 'install-local applied');
  return {
    summary: `${applied.length + 1} objects applied to ${local.context} (${crds} CRDs, cacerts ${cacerts}, meshNetworks ${spec.remote.network} gateway ${gatewayAddress}:${profile.crossNetworkPort})`,
  };
}

export async function installRemote(ctx: StepContext, { spec, facts }: StepInput): Promise<StepOutcome> {
  if (!facts.localGatewayAddress) {
    throw ApplicationFailure.nonRetryable(
      "install-remote needs local's gateway address (remotePilotAddress) and the run has none: run wait-local first.",
      'MissingFact',
    );
  }
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const manifests = await remoteInstallManifests(ctx.deps.istioctlPath, spec, facts.localGatewayAddress);
  const [namespace, ...rest] = manifests;
  await applyObjects(remote, [namespace]);
  const root = await meshRootCa(local, spec.meshId, ctx.deps.rootCa, false);
  const cacerts = await ensureCacerts(remote, root, clusterName(spec.remote));
  const applied = await applyObjects(remote, rest);
  ctx.log.info({ context: remote.context, objects: applied.length + 1, cacerts }, 'install-remote applied');
  return {
    summary: `${applied.length + 1} objects applied to ${remote.context} (remotePilotAddress ${facts.localGatewayAddress}, network ${spec.remote.network}, cacerts ${cacerts})`,
  };
}
