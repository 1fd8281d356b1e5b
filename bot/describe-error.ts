import { ApprovalRefusedError, MeshRunConflictError, RunNotFoundError, ScheduleConflictError } from '../client';
import { ValidationError } from '../common/errors';
import { redactSecrets } from '../common/redact';

/**
 * The message a person sees when a call to Temporal failed. Refusals the client explains keep
 * their message; anything else is a failure to reach or use Temporal, said as such.
 */
export function describeError(err: unknown, doing: string): { text: string; expected: boolean } {
  if (err instanceof MeshRunConflictError || err instanceof RunNotFoundError || err instanceof ApprovalRefusedError || err instanceof ScheduleConflictError || err instanceof ValidationError) {
    return { text: redactSecrets(err.message), expected: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    text: `Could not ${doing}: ${redactSecrets(message)}. Nothing was changed. Try again in a minute; if it keeps failing, the Temporal server may be down — tell the meshops operators.`,
    expected: false,
  };
}
