import { createPairRunActivities } from './mutating-run';
import { createRunInputActivities } from './run-input';

/**
 * The activities workflows use to ask Temporal and the schema rather than a cluster: registered by
 * every worker, the tests' included, since none of them has a stand-in.
 */
export function createWorkflowSupportActivities() {
  return { ...createPairRunActivities(), ...createRunInputActivities() };
}
