import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1m' });

/** The floor for a workflow of `steps` activities in a row: Temporal's own cost, nothing of meshops. */
export async function sequentialActivities(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await noop();
}

const { postMessage } = proxyActivities<{ postMessage(text: string): Promise<void> }>({ startToCloseTimeout: '1m' });

/** The floor for "a run posts its first Slack message": start, one activity, one chat.postMessage. */
export async function postOnce(text: string): Promise<void> {
  await postMessage(text);
}
