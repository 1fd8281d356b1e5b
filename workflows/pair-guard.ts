import { proxyActivities } from '@temporalio/workflow';
import type { ActiveMutatingRun, PairRunActivities } from '../common/step-contract';
import type { MeshSpec } from '../common/mesh-spec';

const { activeMutatingRun } = proxyActivities<PairRunActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** The setup or teardown of the spec's pair running now, if any: while it runs the pair is expected to differ from the spec. */
export function mutatingRunOf(spec: MeshSpec): Promise<ActiveMutatingRun | undefined> {
  return activeMutatingRun({ local: spec.local.context, remote: spec.remote.context });
}
