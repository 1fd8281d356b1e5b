import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { applyObjects } from '../../kube/apply';
import type { ClusterClient } from '../../kube/cluster-client';
import type { KubeObject } from '../../kube/kube-object';
import { applyNamespace } from '../../kube/namespaces';
import { waitForWorkloads } from '../../kube/waits';
import { localSamples, remoteSamples } from '../samples';
import type { StepContext } from './step-context';

/** How many of the namespace's pods istiod's webhook injected (they carry its sidecar.istio.io/status). */
async function injected(client: ClusterClient, namespace: string): Promise<string> {
  const { items } = await client.core.listNamespacedPod({ namespace });
  const done = items.filter((p) => p.metadata?.annotations?.['sidecar.istio.io/status']).length;
  return `${done} of ${items.length} pods injected`;
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
  await applySamples(remote, remoteSamples(namespace));
  await applySamples(local, localSamples(namespace, port));
  const [onRemote, onLocal] = await Promise.all([
    waitForWorkloads(remote, { namespace, timeoutMs: ctx.timeouts.rolloutMs, label: 'samples' }),
    waitForWorkloads(local, { namespace, timeoutMs: ctx.timeouts.rolloutMs, label: 'samples' }),
  ]);
  const [localInjected, remoteInjected] = await Promise.all([injected(local, namespace), injected(remote, namespace)]);
  return {
    summary: `helloworld v1 and sleep on ${local.context} (${onLocal.pods} pods Ready, ${localInjected}), helloworld v2 on ${remote.context} (${onRemote.pods} pods Ready, ${remoteInjected}); AUTO_PASSTHROUGH Gateway on ${port}`,
  };
}
