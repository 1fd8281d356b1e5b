import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { waitForLoadBalancer, waitForWorkloads } from '../../kube/waits';
import { ISTIO_NAMESPACE } from '../istioctl';
import { EAST_WEST_GATEWAY } from '../operator-overlays';
import type { StepContext } from './step-context';

/** Every control-plane Deployment available and pod Ready on local, then the east-west gateway's address. */
export async function waitLocal(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const { deployments, pods } = await waitForWorkloads(local, { namespace: ISTIO_NAMESPACE, timeoutMs: ctx.timeouts.rolloutMs, label: 'control-plane' });
  const address = await waitForLoadBalancer(local, ISTIO_NAMESPACE, EAST_WEST_GATEWAY.name, ctx.timeouts.loadBalancerMs);
  return {
    summary: `${deployments} Deployments, ${pods} pods Ready on ${local.context}; gateway ${address}`,
    facts: { localGatewayAddress: address },
  };
}

export async function waitRemote(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const remote = ctx.remote(spec);
  const { deployments, pods } = await waitForWorkloads(remote, { namespace: ISTIO_NAMESPACE, timeoutMs: ctx.timeouts.rolloutMs, label: 'Istio' });
  return { summary: `${deployments} Deployments, ${pods} pods Ready on ${remote.context}` };
}
