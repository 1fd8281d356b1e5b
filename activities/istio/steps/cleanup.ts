import { clusterName } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { SETUP_STEPS, STEP_CATALOGUE, type StepId } from '../../../common/steps';
import { deleteObjects } from '../../kube/apply';
import type { ClusterClient } from '../../kube/cluster-client';
import { kubeCall } from '../../kube/kube-failure';
import type { KubeObject } from '../../kube/kube-object';
import { releaseNamespace } from '../../kube/namespaces';
import { waitForWorkloadsGone } from '../../kube/waits';
import { ISTIO_NAMESPACE } from '../istioctl';
import { MANAGED_BY } from '../mesh-objects';
import { ownedBy, sweep } from '../owned-objects';
import { budget } from '../../kube/budget';
import { READER_TOKEN_SECRET, remoteSecretName } from '../remote-secret';
import { localSamples, remoteSamples } from '../samples';
import { localControlPlane, localGateways, remoteGateway, remoteProfile } from './install-manifests';
import { currentGatewayAddress } from './install-steps';
import { setGatewayAddress } from './patch-gateway';
import type { StepContext } from './step-context';

const MESHOPS = `app.kubernetes.io/managed-by=${MANAGED_BY['app.kubernetes.io/managed-by']}`;

/** ConfigMaps istiod writes into every namespace of each cluster it serves (label istio.io/config). */
const ISTIOD_CONFIGMAPS = ['istio-ca-root-cert', 'istio-ca-crl'];
/** Leader-election locks istiod keeps in its namespace (pilot/pkg/leaderelection); gone with a namespace meshops created. */
const ISTIOD_LOCKS = ['istio-namespace-controller-election', 'istio-leader', 'istio-gateway-status-leader-default', 'istio-status-leader', 'istio-analyze-leader', 'istio-gateway-deployment-default'];

function secretStub(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ISTIO_NAMESPACE } };
}

/** istiod's root-certificate ConfigMaps, in every namespace of the cluster. */
async function deleteIstiodConfigMaps(client: ClusterClient): Promise<number> {
  const { items } = await kubeCall({ verb: 'list', object: 'ConfigMaps labelled istio.io/config=true', context: client.context }, () =>
    client.core.listConfigMapForAllNamespaces({ labelSelector: 'istio.io/config=true' }),
  );
  const ours = items.filter((cm) => ISTIOD_CONFIGMAPS.includes(cm.metadata?.name ?? ''));
  return deleteObjects(client, ours.map((cm) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm.metadata!.name!, namespace: cm.metadata!.namespace } })));
}

/** What istiod left in istio-system when that namespace was there before meshops (else it goes with the namespace). */
async function deleteIstiodLocks(client: ClusterClient): Promise<number> {
  const locks = ISTIOD_LOCKS.flatMap((name): KubeObject[] => [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ISTIO_NAMESPACE } },
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: ISTIO_NAMESPACE } },
  ]);
  return deleteObjects(client, locks);
}

/**
 * Istio's objects by the names istioctl renders them, for an install of an earlier meshops, which
 * applied them without meshops' owning-resource labels (the label sweep cannot find those).
 * CRDs only with `purge`; whatever is already gone is fine.
 */
async function deleteRendered(client: ClusterClient, objects: KubeObject[], purge: boolean): Promise<number> {
  return deleteObjects(client, objects.filter((o) => purge || o.kind !== 'CustomResourceDefinition'));
}

/** What is left of the one wait budget a cleanup activity has; see cleanupStep. */
type Left = () => number;
type Undo = (ctx: StepContext, input: StepInput, left: Left) => Promise<string>;

/** sweep waits for pods and then, with `crds`, for CRDs, each up to its timeout: both must fit in what is left. */
function sweepWithin(client: ClusterClient, labelSelector: string, crds: boolean, left: Left): Promise<number> {
  return sweep(client, labelSelector, { crds, timeoutMs: crds ? Math.max(1, Math.floor(left() / 2)) : left() });
}

/**
 * patch-gateway's undo, also run wherever the remote east-west gateway is removed (wait-remote,
 * install-remote): takes network2's gateway address out of meshNetworks (compare-and-patch), so no
 * stale address stays live in istiod. Returns what it removed, or undefined when there was none
 * (or no local control plane to hold one).
 */
async function removeGatewayAddress(ctx: StepContext, spec: StepInput['spec']): Promise<string | undefined> {
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  const address = await currentGatewayAddress(ctx.local(spec), spec.remote.network, port);
  if (address === undefined) return undefined;
  await setGatewayAddress(ctx, spec, undefined);
  return `meshNetworks ${spec.remote.network} gateway ${address}:${port} removed`;
}

/**
 * The seed's cleanup per step, leaving the clusters as `istioctl uninstall --purge` would and the
 * seed's `kubectl delete ns` does: istioctl's objects found by their owning-resource label,
 * meshops' own by its managed-by label, what istiod wrote (root-certificate ConfigMaps in every
 * namespace), the namespaces meshops created. CRDs, and with them every Istio resource anyone
 * created, only with `purge`.
 */
const UNDO: Partial<Record<StepId, Undo>> = {
  'deploy-samples': async (ctx, { spec }, left) => {
    const ns = spec.samples.namespace;
    const port = PROFILES[spec.istio.profile].crossNetworkPort;
    const [local, remote] = [ctx.local(spec), ctx.remote(spec)];
    const [onLocal, onRemote] = await Promise.all([
      deleteObjects(local, localSamples(ns, port).filter((o) => o.kind !== 'Namespace')),
      deleteObjects(remote, remoteSamples(ns).filter((o) => o.kind !== 'Namespace')),
    ]);
    await Promise.all([waitForWorkloadsGone(local, ns, left()), waitForWorkloadsGone(remote, ns, left())]);
    const [localNs, remoteNs] = await Promise.all([releaseNamespace(local, ns, left()), releaseNamespace(remote, ns, left())]);
    return `samples removed (${onLocal} objects on ${spec.local.context}, namespace ${localNs}; ${onRemote} on ${spec.remote.context}, namespace ${remoteNs})`;
  },
  'verify-split': async () => 'read-only, nothing to undo',
  'patch-gateway': async (ctx, { spec }) => (await removeGatewayAddress(ctx, spec)) ?? `no ${spec.remote.network} gateway address in meshNetworks, nothing to undo`,
  'wait-remote': async (ctx, { spec }, left) => {
    // The address first: istiod must not send cross-network traffic to a gateway that is going away.
    const address = await removeGatewayAddress(ctx, spec);
    const remote = ctx.remote(spec);
    const n = (await sweepWithin(remote, ownedBy('meshops-eastwest'), false, left)) + (await deleteRendered(remote, await remoteGateway(ctx.deps.istioctlPath, spec), false));
    return `east-west gateway removed from ${spec.remote.context} (${n} objects)${address ? `; ${address}` : ''}`;
  },
  'link-secret': async (ctx, { spec }) => {
    const onLocal = await deleteObjects(ctx.local(spec), [secretStub(remoteSecretName(clusterName(spec.remote)))]);
    const onRemote = await deleteObjects(ctx.remote(spec), [secretStub(READER_TOKEN_SECRET)]);
    return `remote secret removed (${onLocal} on ${spec.local.context}, ${onRemote} reader token on ${spec.remote.context})`;
  },
  'install-remote': async (ctx, { spec, facts }, left) => {
    // the remote east-west gateway goes too (its owner label is swept): no address of it may stay in meshNetworks
    const address = await removeGatewayAddress(ctx, spec);
    const remote = ctx.remote(spec);
    // remotePilotAddress only changes the istiod EndpointSlice's content, not what is rendered by name
    const rendered = [...(await remoteProfile(ctx.deps.istioctlPath, spec, facts.localGatewayAddress ?? '192.0.2.1')), ...(await remoteGateway(ctx.deps.istioctlPath, spec))];
    const n =
      (await sweepWithin(remote, ownedBy('meshops-remote', 'meshops-eastwest'), spec.purge, left)) +
      (await sweepWithin(remote, MESHOPS, spec.purge, left)) +
      (await deleteRendered(remote, rendered, spec.purge));
    const ns = await releaseNamespace(remote, ISTIO_NAMESPACE, left());
    if (ns === 'released') await deleteIstiodLocks(remote);
    return `Istio removed from ${spec.remote.context} (${n} objects, ${ISTIO_NAMESPACE} ${ns}${spec.purge ? ', CRDs purged' : ', CRDs kept'})${address ? `; ${address}` : ''}`;
  },
  'install-local': async (ctx, { spec }, left) => {
    const [local, remote] = [ctx.local(spec), ctx.remote(spec)];
    const { Base, Pilot, IngressGateways } = await localControlPlane(ctx.deps.istioctlPath, spec, undefined, ['Base', 'Pilot', 'IngressGateways']);
    const rendered = [...IngressGateways, ...(await localGateways(ctx.deps.istioctlPath, spec, undefined)), ...Pilot, ...Base];
    const n =
      (await sweepWithin(local, ownedBy('meshops', 'meshops-eastwest'), spec.purge, left)) +
      (await sweepWithin(local, MESHOPS, spec.purge, left)) +
      (await deleteRendered(local, rendered, spec.purge));
    await waitForWorkloadsGone(local, ISTIO_NAMESPACE, left(), 'app=istiod');
    // istiod is gone now: nothing rewrites the ConfigMaps it wrote, here or (through the remote secret) on remote.
    const configMaps = (await deleteIstiodConfigMaps(local)) + (await deleteIstiodConfigMaps(remote));
    const ns = await releaseNamespace(local, ISTIO_NAMESPACE, left());
    if (ns === 'released') await deleteIstiodLocks(local);
    return `Istio removed from ${spec.local.context} (${n} objects, ${configMaps} istiod ConfigMaps on both clusters, ${ISTIO_NAMESPACE} ${ns}${spec.purge ? ', CRDs purged' : ', CRDs kept'})`;
  },
};

/**
 * Undoes one step (the seed's cleanup for it); `cleanup` undoes every step in reverse order. Idempotent.
 * All its waits (pods, CRDs, namespaces disappearing) share one budget of `deleteMs`, so together
 * they stay inside the activity's start-to-close (workflows/retry-presets.ts CLEANUP).
 */
export async function cleanupStep(ctx: StepContext, input: StepInput & { step: StepId }): Promise<StepOutcome> {
  const steps: StepId[] = input.step === 'cleanup' ? [...SETUP_STEPS].reverse() : [input.step];
  const left = budget(ctx.timeouts.deleteMs);
  const done: string[] = [];
  for (const step of steps) {
    const undo = UNDO[step];
    if (!undo) {
      if (input.step !== 'cleanup') done.push(`${step}: ${STEP_CATALOGUE[step].readOnly ? 'read-only' : 'nothing'}, nothing to undo`);
      continue;
    }
    done.push(`${step}: ${await undo(ctx, input, left)}`);
  }
  return { summary: done.join('; ') };
}
