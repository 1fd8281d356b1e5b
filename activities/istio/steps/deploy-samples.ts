import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { applyObjects } from '../../kube/apply';
import type { ClusterClient } from '../../kube/cluster-client';
import type { KubeObject } from '../../kube/kube-object';
import { kubeCall } from '../../kube/kube-failure';
import { applyNamespace } from '../../kube/namespaces';
import { rolloutRestart } from '../../kube/rollout-restart';
import { waitForWorkloads } from '../../kube/waits';
import { localSamples, remoteSamples } from '../samples';
import type { StepContext } from './step-context';

const injectedPod = (p: V1Pod) => Boolean(p.metadata?.annotations?.['sidecar.istio.io/status']);

const podsOf = (d: V1Deployment, pods: V1Pod[]) =>
  pods.filter((p) => Object.entries(d.spec?.selector?.matchLabels ?? {}).every(([k, v]) => p.metadata?.labels?.[k] === v));

async function sampleWorkloads(client: ClusterClient, namespace: string, names: string[]): Promise<{ deployment: V1Deployment; pods: V1Pod[] }[]> {
  const [{ items: deployments }, { items: pods }] = await Promise.all([
    kubeCall({ verb: 'list', object: `Deployments in ${namespace}`, context: client.context }, () => client.apps.listNamespacedDeployment({ namespace })),
    kubeCall({ verb: 'list', object: `pods in ${namespace}`, context: client.context }, () => client.core.listNamespacedPod({ namespace })),
  ]);
  return deployments.filter((d) => names.includes(d.metadata?.name ?? '')).map((deployment) => ({ deployment, pods: podsOf(deployment, pods.filter((p) => !p.metadata?.deletionTimestamp)) }));
}

/**
 * Restarts the sample Deployments that have a pod without a sidecar (made before the namespace
 * was labelled istio-injection=enabled): outside the mesh, istiod drops a remote pod's endpoint or,
 * where its network is unknown, sends its IP to the other network.
 */
async function restartUninjected(client: ClusterClient, namespace: string, objects: KubeObject[]): Promise<string[]> {
  const names = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
  const stale = (await sampleWorkloads(client, namespace, names)).filter((w) => w.pods.some((p) => !injectedPod(p))).map((w) => w.deployment.metadata!.name!);
  for (const name of stale) await rolloutRestart(client, namespace, name);
  return stale;
}

/** After the rollout every sample pod must carry istiod's sidecar, or the split cannot hold: says which does not. */
async function requireInjected(client: ClusterClient, namespace: string, objects: KubeObject[]): Promise<number> {
  const names = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
  const pods = (await sampleWorkloads(client, namespace, names)).flatMap((w) => w.pods);
  const bare = pods.filter((p) => !injectedPod(p)).map((p) => p.metadata?.name);
  if (bare.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `Sample pods ${bare.join(', ')} in ${namespace} on ${client.context} have no sidecar although the namespace is labelled istio-injection=enabled: ` +
        `istiod's injection webhook did not answer for ${client.context}. Check MutatingWebhookConfiguration istio-sidecar-injector there and istiod's log, then rerun deploy-samples.`,
      'SamplesNotInjected',
    );
  }
  return pods.length;
}

/** The namespace first (created or only labelled, as it was), then the rest. */
async function applySamples(client: ClusterClient, objects: KubeObject[]): Promise<void> {
  const [namespace, ...rest] = objects;
  await applyNamespace(client, namespace);
  await applyObjects(client, rest);
}

export async function deploySamples(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  if (!spec.samples.deploy) return { summary: 'samples.deploy is false: nothing deployed' };
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const namespace = spec.samples.namespace;
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  const sides = [
    { client: remote, objects: remoteSamples(namespace) },
    { client: local, objects: localSamples(namespace, port) },
  ];
  const restarted: string[] = [];
  for (const { client, objects } of sides) {
    await applySamples(client, objects);
    restarted.push(...(await restartUninjected(client, namespace, objects)).map((name) => `${name} on ${client.context}`));
  }
  const [onRemote, onLocal] = await Promise.all(
    sides.map(({ client }) => waitForWorkloads(client, { namespace, timeoutMs: ctx.timeouts.rolloutMs, label: 'samples' })),
  );
  await Promise.all(sides.map(({ client, objects }) => requireInjected(client, namespace, objects)));
  const again = restarted.length > 0 ? `; restarted ${restarted.join(', ')}, which had no sidecar` : '';
  return {
    summary: `helloworld v1 and sleep on ${local.context} (${onLocal.pods} pods Ready), helloworld v2 on ${remote.context} (${onRemote.pods} pods Ready), all with istiod's sidecar; AUTO_PASSTHROUGH Gateway on ${port}${again}`,
  };
}
