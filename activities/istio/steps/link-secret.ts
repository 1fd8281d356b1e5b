import { clusterName } from '../../../common/mesh-spec';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { linkRemoteCluster } from '../remote-secret';
import type { StepContext } from './step-context';

export async function linkSecret(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const linked = await linkRemoteCluster(local, remote, clusterName(spec.remote), ctx.timeouts.tokenMs);
  return {
    summary: `Secret ${linked.name} on ${local.context} lets istiod watch ${remote.context} (${linked.fingerprint.slice(0, 19)}…)`,
    facts: { remoteSecretName: linked.name, remoteSecretFingerprint: linked.fingerprint },
  };
}
