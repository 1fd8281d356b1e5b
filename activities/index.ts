import type { Logger } from 'pino';
import type { WebClient } from '@slack/web-api';
import { createMeshStepActivities, type MeshStepDeps } from './mesh-steps';
import { createLogNotifier } from './notify/log-notifier';
import { createSlackNotifier } from './slack/notifier';
import { createWorkflowSupportActivities } from './temporal';

export interface ActivityDeps {
  steps: MeshStepDeps;
  logger: Logger;
  /** When set, progress goes to Slack; otherwise to the log. */
  slack?: { client: WebClient; defaultChannel?: string; temporalUiUrl?: string; namespace: string };
}

/** Every activity the worker registers: the mesh steps, the progress notifier, and what workflows ask of Temporal and the schema. */
export function createActivities(deps: ActivityDeps) {
  const notifier = deps.slack ? createSlackNotifier(deps.slack) : createLogNotifier(deps.logger);
  return { ...createMeshStepActivities(deps.steps), ...notifier, ...createWorkflowSupportActivities() };
}
export type MeshActivities = ReturnType<typeof createActivities>;
