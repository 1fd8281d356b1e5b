import { clusterName } from '../../../common/mesh-spec';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { budget } from '../../kube/budget';
import { waitForConfigMap, waitForWebhookCaBundle } from '../../kube/waits';
import { ISTIO_NAMESPACE } from '../istioctl';
import { linkRemoteCluster, READER_SERVICE_ACCOUNT, remoteApiServer } from '../remote-secret';
import { INJECTOR_WEBHOOK } from './install-steps';
import type { StepContext } from './step-context';

/** The ConfigMap istiod writes into every namespace of a cluster it serves: the mesh's root certificate. */
export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';

/**
 * The seed's "start watching the remote cluster": the remote secret in local, then proof that
 * local's istiod serves the remote through it, which the remote's gateway and injected pods need:
 * istiod patched the remote's injection webhook with its CA and wrote istio-ca-root-cert there.
 */
export async function linkSecret(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const name = clusterName(spec.remote);
  const server = remoteApiServer(remote, spec.remote.apiServer);
  const left = budget(ctx.timeouts.rolloutMs);
  const linked = await linkRemoteCluster(local, remote, name, server, Math.min(ctx.timeouts.tokenMs, left()));
  const notServed =
    `local's istiod does not serve ${remote.context} through Secret ${ISTIO_NAMESPACE}/${linked.name}: check that istiod can reach ${server} ` +
    `(the remote secret's server; set remoteApiServer=… if not), that ServiceAccount ${READER_SERVICE_ACCOUNT} on ${remote.context} has the remote profile's reader role, ` +
    `and that ${remote.context}'s ${ISTIO_NAMESPACE} is annotated topology.istio.io/controlPlaneClusters=${clusterName(spec.local)}`;
  await waitForWebhookCaBundle(remote, INJECTOR_WEBHOOK, left(), notServed);
  await waitForConfigMap(remote, ISTIO_NAMESPACE, ROOT_CERT_CONFIGMAP, left(), notServed);
  return {
    summary: `Secret ${linked.name} on ${local.context} lets istiod watch ${remote.context} at ${server} (${linked.fingerprint.slice(0, 19)}…); istiod patched ${remote.context}'s injection webhook and wrote ${ROOT_CERT_CONFIGMAP}`,
    facts: { remoteSecretName: linked.name, remoteSecretFingerprint: linked.fingerprint },
  };
}
