import { proxyActivities } from '@temporalio/workflow';
import type { MeshStepActivities, StepInput, StepOutcome } from '../common/step-contract';
import { STEP_ACTIVITY } from '../common/step-contract';
import type { SetupStepId, StepId } from '../common/steps';
import { CLEANUP, STEP_PRESET } from './retry-presets';

// One proxy per preset, built once at module load as Temporal's samples do.
const proxies = new Map(
  [...new Set(Object.values(STEP_PRESET)), CLEANUP].map((preset) => [preset, proxyActivities<MeshStepActivities>(preset.activity)] as const),
);

/** One attempt of a setup step, with its group's timeouts. */
export function callStep(step: SetupStepId, input: StepInput): Promise<StepOutcome> {
  return proxies.get(STEP_PRESET[step])![STEP_ACTIVITY[step]](input);
}

/** One attempt of undoing a step. */
export function callCleanup(step: StepId, input: StepInput): Promise<StepOutcome> {
  return proxies.get(CLEANUP)!.cleanupStep({ ...input, step });
}
