import { ApplicationFailure } from '@temporalio/common';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { applyObjects } from '../../kube/apply';
import { waitForLoadBalancer, waitForWorkloads } from '../../kube/waits';
import { ISTIO_NAMESPACE } from '../istioctl';
import { EAST_WEST_GATEWAY } from '../operator-overlays';
import { remoteGateway } from './install-manifests';
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

/**
 * The remote's east-west gateway (gen-eastwest-gateway.sh's, like local's), applied now that
 * local's istiod serves the remote (link-secret): its pod is injected by that istiod through the
 * remote webhook and mounts the istio-ca-root-cert it wrote. Then every remote pod Ready.
 */
export async function waitRemote(ctx: StepContext, { spec, procedure }: StepInput): Promise<StepOutcome> {
  if (procedure === 'seed-order') {
    // The seed's order reaches here before link-secret: the remote gateway cannot start yet.
    throw ApplicationFailure.nonRetryable(
      'This run was started by an earlier meshops, in the seed\'s step order (the remote secret linked after the remote gateway), which cannot work with today\'s Istio: ' +
        'the remote gateway is injected only once istiod watches the remote. Cancel it (with rollback if wanted) and start the setup again; the new run links the secret first.',
      'SeedOrderRun',
    );
  }
  const remote = ctx.remote(spec);
  const applied = await applyObjects(remote, await remoteGateway(ctx.deps.istioctlPath, spec));
  const { deployments, pods } = await waitForWorkloads(remote, { namespace: ISTIO_NAMESPACE, timeoutMs: ctx.timeouts.rolloutMs, label: 'Istio' });
  return { summary: `east-west gateway applied (${applied.length} objects); ${deployments} Deployments, ${pods} pods Ready on ${remote.context}` };
}
