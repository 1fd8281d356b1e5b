import { proxyActivities } from '@temporalio/workflow';
import type { CountdownActivities } from '../countdown-activities';

const { tick } = proxyActivities<CountdownActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '200ms', maximumInterval: '1s' },
});

/** A small workflow of sequential activities; the worker-restart test kills its worker mid-run. */
export async function countdown(steps: number): Promise<number[]> {
  const done: number[] = [];
  for (let i = 1; i <= steps; i++) done.push(await tick(i));
  return done;
}
