// A workflow for test/workflows/timeouts.test.ts: withRetries around one activity, with the preset the test passes.
import { proxyActivities } from '@temporalio/workflow';
import type { StepPreset } from '../../workflows/retry-presets';
import { StepFailed, withRetries } from '../../workflows/step-runner';

export interface FlakyActivities {
  flaky(): Promise<string>;
}

/** The activity's result, or the message withRetries gave up with. */
export async function retryBound(preset: StepPreset): Promise<string> {
  const { flaky } = proxyActivities<FlakyActivities>(preset.activity);
  try {
    return await withRetries('flaky', preset, () => flaky(), { onAttempt: () => undefined });
  } catch (err) {
    if (err instanceof StepFailed) return err.message;
    throw err;
  }
}
