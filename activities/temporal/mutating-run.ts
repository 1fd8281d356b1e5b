import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { mutatingRunId } from '../../common/naming';
import type { ActiveMutatingRun, PairRunActivities } from '../../common/step-contract';

const KIND_OF_TYPE: Record<string, ActiveMutatingRun['kind']> = { meshSetup: 'setup', meshTeardown: 'teardown' };

/**
 * Asks Temporal, with the worker's own client, whether a setup or teardown of the pair is running:
 * a verify that found drift while one changes the clusters reports nothing (workflows/meshVerify.ts).
 */
export function createPairRunActivities(): PairRunActivities {
  return {
    async activeMutatingRun({ local, remote }) {
      const workflowId = mutatingRunId(local, remote);
      try {
        const d = await Context.current().client.workflow.getHandle(workflowId).describe();
        if (d.status.name !== 'RUNNING') return undefined;
        return { workflowId, runId: d.runId, kind: KIND_OF_TYPE[d.type] ?? 'setup' };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },
  };
}
