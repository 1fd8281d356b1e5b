import type { Logger } from 'pino';
import type { WebClient } from '@slack/web-api';
import { createMeshStepActivities, type MeshStepDeps } from './mesh-steps';
import { createLogNotifier } from './notify/log-notifier';
import { createSlackNotifier } from './slack/notifier';

export interface ActivityDeps {
  steps: MeshStepDeps;
  logger: Logger;
  /** When set, progress goes to Slack; otherwise to the log. */
  slack?: { client: WebClient; defaultChannel?: string; temporalUiUrl?: string; namespace: string };
}

/** The worker's mesh activities: the steps and the progress notifier (runWorker adds what workflows ask of Temporal). */
export function createActivities(deps: ActivityDeps) {
  const notifier = deps.slack ? createSlackNotifier(deps.slack) : createLogNotifier(deps.logger);
  return { ...createMeshStepActivities(deps.steps), ...notifier };
}
export type MeshActivities = ReturnType<typeof createActivities>;
