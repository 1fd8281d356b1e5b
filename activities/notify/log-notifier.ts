import type { Logger } from 'pino';
import type { NotifierActivities, ProgressEvent } from '../../common/step-contract';

/** The notifier when Slack is not configured: one structured log line per change. */
export function createLogNotifier(logger: Logger): NotifierActivities {
  return {
    async notify(event: ProgressEvent) {
      const { status } = event;
      const step = event.step ? status.steps.find((s) => s.id === event.step) : undefined;
      logger.info(
        {
          workflowId: status.workflowId,
          event: event.type,
          phase: status.phase,
          step: event.step,
          state: step?.state.state,
          outcome: status.outcome,
        },
        `${status.workflowId}: ${event.type}${event.step ? ` ${event.step} ${step?.state.state}` : ''} (${status.phase})`,
      );
      return { ref: event.ref };
    },
  };
}
