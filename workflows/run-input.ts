import { ActivityFailure, ApplicationFailure, patched, proxyLocalActivities } from '@temporalio/workflow';
import { INVALID_INPUT, checkRunInput, type MeshRunInput } from '../common/run-input';
import type { RunInputActivities } from '../common/step-contract';

export type { MeshRunInput } from '../common/run-input';

const local = proxyLocalActivities<RunInputActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

/**
 * The workflow's own check of its input, for starts that bypass MeshClient (Temporal UI, temporal
 * CLI): a bad input fails the run at once, naming the field, instead of failing workflow tasks.
 *
 * The check runs as a local activity, so the parsed input (schema defaults filled) is recorded in
 * history: when a default or a pattern in common/ changes later, a replay still sees the spec the
 * run started with. Runs from before this change parse in the workflow, as they did.
 */
export async function parseRunInput(input: unknown, workflow: string): Promise<MeshRunInput> {
  if (!patched('run-input-recorded')) {
    const checked = checkRunInput(input, workflow);
    if (!checked.ok) throw ApplicationFailure.nonRetryable(checked.message, INVALID_INPUT);
    return checked.input;
  }
  try {
    return await local.parseRunInput(input, workflow);
  } catch (err) {
    // Fail the run with the check's own failure, not "activity failed".
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) throw err.cause;
    throw err;
  }
}
