import { isGrpcCancelledError, isGrpcDeadlineError } from '@temporalio/client';
import { ApprovalRefusedError, CancelRefusedError, MeshRunConflictError, RunNotFoundError, ScheduleConflictError } from '../client';
import { ValidationError } from '../common/errors';
import { redactSecrets } from '../common/redact';
import { GroupLookupError } from './user-groups';

/**
 * The message a person sees when a call to Temporal failed. Refusals the client explains keep
 * their message; a failed Slack group lookup says so (never "not an approver"); a Temporal call
 * that ran out of time says that it may or may not have happened (the request can have reached
 * the server); anything else is a failure to reach or use Temporal, said as such.
 */
export function describeError(err: unknown, doing: string): { text: string; expected: boolean } {
  const explained = [MeshRunConflictError, RunNotFoundError, ApprovalRefusedError, CancelRefusedError, ScheduleConflictError, ValidationError, GroupLookupError];
  if (explained.some((type) => err instanceof type)) {
    return { text: redactSecrets((err as Error).message), expected: true };
  }
  if (isGrpcDeadlineError(err) || isGrpcCancelledError(err)) {
    return {
      text: `Temporal is slow: it did not answer in time, so I cannot tell whether your request to ${doing} went through (it may still). Check \`/mesh runs\` or \`/mesh status <run>\` in a minute before trying again.`,
      expected: false,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    text: `Could not ${doing}: ${redactSecrets(message)}. Nothing was changed. Try again in a minute; if it keeps failing, the Temporal server may be down — tell the meshops operators.`,
    expected: false,
  };
}
