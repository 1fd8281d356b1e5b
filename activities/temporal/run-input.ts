import { ApplicationFailure } from '@temporalio/activity';
import { INVALID_INPUT, checkRunInput, type MeshRunInput } from '../../common/run-input';
import type { RunInputActivities } from '../../common/step-contract';

/**
 * The workflows' input check as a local activity: its answer is recorded in the run's history, so
 * a replay uses the spec the run started with, whatever common/'s schema defaults and patterns
 * have become since (workflows/run-input.ts).
 */
export function createRunInputActivities(): RunInputActivities {
  return {
    async parseRunInput(input: unknown, workflow: string): Promise<MeshRunInput> {
      const checked = checkRunInput(input, workflow);
      if (!checked.ok) throw ApplicationFailure.nonRetryable(checked.message, INVALID_INPUT);
      return checked.input;
    },
  };
}
