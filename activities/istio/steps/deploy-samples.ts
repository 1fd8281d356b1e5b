import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { applyObjects } from '../../kube/apply';
import { waitForWorkloads } from '../../kube/waits';
import { localSamples, remoteSamples } from '../samples';
import type { StepContext } from './step-context';

export async function deploySamples(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  if (!spec.samples.deploy) return { summary: 'samples.deploy is false: nothing deployed' };
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const namespace = spec.samples.namespace;
  await applyObjects(remote, remoteSamples(namespace));
  const port = PROFILES[spec.istio.profile].crossNetworkPort;
  await applyObjects(local, localSamples(namespace, port));
  const [onRemote, onLocal] = await Promise.all([
    waitForWorkloads(remote, { namespace, timeoutMs: ctx.timeouts.rolloutMs, label: 'samples' }),
    waitForWorkloads(local, { namespace, timeoutMs: ctx.timeouts.rolloutMs, label: 'samples' }),
  ]);
  return {
    summary: `helloworld v1 and sleep on ${local.context} (${onLocal.pods} pods), helloworld v2 on ${remote.context} (${onRemote.pods} pods), AUTO_PASSTHROUGH Gateway on ${port}`,
  };
}
