import { CancellationScope, workflowInfo } from '@temporalio/workflow';
import type { Requester } from '../common/status';
import type { MeshSpec } from '../common/mesh-spec';
import { refuseApprovals } from './await-approval';
import { RunCancellation } from './run-cancellation';
import { parseRunInput } from './run-input';

export interface StartedRun {
  spec: MeshSpec;
  requester: Requester;
  cancellation: RunCancellation;
}

/**
 * The first thing every mesh workflow does. Its Update handlers are registered before it awaits
 * anything (an Update delivered with the first workflow task and left without a handler is
 * rejected), then the input is read, not cancellable, so a cancel that came that early is handled
 * once the run knows its spec, with the run reporting how it ended.
 */
export async function startRun(input: unknown, workflow: string): Promise<StartedRun> {
  const cancellation = new RunCancellation();
  refuseApprovals(`Run ${workflowInfo().workflowId} is starting: no step waits for approval yet.`);
  const { spec, requester } = await CancellationScope.nonCancellable(() => parseRunInput(input, workflow));
  return { spec, requester, cancellation };
}
