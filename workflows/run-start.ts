import { CancellationScope, setHandler, workflowInfo } from '@temporalio/workflow';
import { checkRunInput } from '../common/run-input';
import type { MeshStatus, Requester } from '../common/status';
import type { MeshSpec } from '../common/mesh-spec';
import { refuseApprovals } from './await-approval';
import { RunCancellation } from './run-cancellation';
import { statusQuery } from './messages';
import { parseRunInput } from './run-input';
import { RunStatusBook } from './run-status';

export interface StartedRun<P> {
  spec: MeshSpec;
  requester: Requester;
  cancellation: RunCancellation;
  /** The run's patch decisions, taken before its input check (see startRun). */
  patches: P;
}

/**
 * The first thing every mesh workflow does. Its Update handlers are registered before it awaits
 * anything (an Update delivered with the first workflow task and left without a handler is
 * rejected), then the input is read, not cancellable, so a cancel that came that early is handled
 * once the run knows its spec, with the run reporting how it ended. A status query in that window
 * (the server may answer one between the run's start and its input check) gets the run as starting.
 *
 * `decidePatches` calls the workflow's patched() checks, all of them, before that await: their
 * markers then land in the run's first workflow task whatever becomes of the local activity (it
 * may finish in a later task, e.g. when a query arrives meanwhile), and a replay decides them in
 * its first activation, from the markers Temporal announces for that task.
 */
export async function startRun<P>(input: unknown, workflow: string, kind: MeshStatus['kind'], decidePatches: () => P): Promise<StartedRun<P>> {
  const patches = decidePatches();
  setHandler(statusQuery, () => startingStatus(input, workflow, kind));
  const cancellation = new RunCancellation();
  refuseApprovals(`Run ${workflowInfo().workflowId} is starting: no step waits for approval yet.`);
  const { spec, requester } = await CancellationScope.nonCancellable(() => parseRunInput(input, workflow));
  return { spec, requester, cancellation, patches };
}

/** The run before it has read its input: no steps yet. A query changes nothing, so it may parse the input itself. */
function startingStatus(input: unknown, workflow: string, kind: MeshStatus['kind']): MeshStatus {
  const checked = checkRunInput(input, workflow);
  if (!checked.ok) throw new Error(checked.message);
  const { workflowId, runId, startTime } = workflowInfo();
  const { spec, requester } = checked.input;
  return new RunStatusBook({ workflowId, runId, kind, requester, spec, steps: [], now: startTime.getTime() }).snapshot();
}
