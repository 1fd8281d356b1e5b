import { clusterName } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { SETUP_STEPS, STEP_CATALOGUE, type StepId } from '../../../common/steps';
import { deleteObjects } from '../../kube/apply';
import type { ClusterClient } from '../../kube/cluster-client';
import type { KubeObject } from '../../kube/kube-object';
import type { WatchedResource } from '../../kube/wait-for';
import { waitForGone } from '../../kube/waits';
import { ISTIO_NAMESPACE } from '../istioctl';
import { CACERTS_SECRET } from '../mesh-objects';
import { remoteReaderObjects, remoteSecretName } from '../remote-secret';
import { ROOT_CA_SECRET } from '../root-ca-store';
import { localSamples, remoteSamples } from '../samples';
import { currentGatewayAddress } from './install-steps';
import { localInstallManifests, remoteInstallManifests } from './install-manifests';
import { setGatewayAddress } from './patch-gateway';
import type { StepContext } from './step-context';

const NAMESPACES: WatchedResource = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces' };
const CRDS: WatchedResource = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions' };

function secretStub(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ISTIO_NAMESPACE } };
}

/** Deletes the objects, then waits until their namespaces and CRDs are really gone (finalizers done). */
async function deleteAndWait(client: ClusterClient, objects: KubeObject[], timeoutMs: number): Promise<number> {
  const deleted = await deleteObjects(client, objects);
  const awaited = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
  await waitForGone(client, NAMESPACES, awaited('Namespace'), timeoutMs);
  await waitForGone(client, CRDS, awaited('CustomResourceDefinition'), timeoutMs);
  return deleted;
}

type Undo = (ctx: StepContext, input: StepInput) => Promise<string>;

const UNDO: Partial<Record<StepId, Undo>> = {
  'deploy-samples': async (ctx, { spec }) => {
    const ns = spec.samples.namespace;
    const port = PROFILES[spec.istio.profile].crossNetworkPort;
    const [onLocal, onRemote] = await Promise.all([
      deleteAndWait(ctx.local(spec), localSamples(ns, port), ctx.timeouts.deleteMs),
      deleteAndWait(ctx.remote(spec), remoteSamples(ns), ctx.timeouts.deleteMs),
    ]);
    return `samples removed (${onLocal} objects on ${spec.local.context}, ${onRemote} on ${spec.remote.context})`;
  },
  'verify-split': async () => 'read-only, nothing to undo',
  'link-secret': async (ctx, { spec }) => {
    const onLocal = await deleteObjects(ctx.local(spec), [secretStub(remoteSecretName(clusterName(spec.remote)))]);
    const onRemote = await deleteObjects(ctx.remote(spec), remoteReaderObjects());
    return `remote secret removed (${onLocal} on ${spec.local.context}, ${onRemote} reader objects on ${spec.remote.context})`;
  },
  'patch-gateway': async (ctx, { spec }) => {
    const local = ctx.local(spec);
    const profile = PROFILES[spec.istio.profile];
    if ((await currentGatewayAddress(local, spec.remote.network, profile.crossNetworkPort)) === undefined) return 'no meshNetworks entry, nothing to undo';
    const { changed } = await setGatewayAddress(ctx, spec, profile.gatewayPlaceholder);
    return changed ? `meshNetworks gateway back to ${profile.gatewayPlaceholder}` : 'meshNetworks already at the placeholder';
  },
  'install-remote': async (ctx, { spec, facts }) => {
    const pilot = facts.localGatewayAddress ?? PROFILES[spec.istio.profile].gatewayPlaceholder;
    const manifests = await remoteInstallManifests(ctx.deps.istioctlPath, spec, pilot);
    const n = await deleteAndWait(ctx.remote(spec), [...manifests, secretStub(CACERTS_SECRET)], ctx.timeouts.deleteMs);
    return `Istio removed from ${spec.remote.context} (${n} objects)`;
  },
  'install-local': async (ctx, { spec }) => {
    const manifests = await localInstallManifests(ctx.deps.istioctlPath, spec, PROFILES[spec.istio.profile].gatewayPlaceholder);
    const n = await deleteAndWait(ctx.local(spec), [...manifests, secretStub(CACERTS_SECRET), secretStub(ROOT_CA_SECRET)], ctx.timeouts.deleteMs);
    return `Istio removed from ${spec.local.context} (${n} objects)`;
  },
};

/** Undoes one step (the seed's cleanup for it); `cleanup` undoes every step in reverse order. Idempotent. */
export async function cleanupStep(ctx: StepContext, input: StepInput & { step: StepId }): Promise<StepOutcome> {
  const steps: StepId[] = input.step === 'cleanup' ? [...SETUP_STEPS].reverse() : [input.step];
  const done: string[] = [];
  for (const step of steps) {
    const undo = UNDO[step];
    if (!undo) {
      if (input.step !== 'cleanup') done.push(`${step}: ${STEP_CATALOGUE[step].readOnly ? 'read-only' : 'nothing'}, nothing to undo`);
      continue;
    }
    done.push(`${step}: ${await undo(ctx, input)}`);
  }
  return { summary: done.join('; ') };
}
