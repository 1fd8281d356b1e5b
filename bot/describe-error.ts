import { ApprovalRefusedError, CancelRefusedError, MeshRunConflictError, RunNotFoundError, ScheduleConflictError } from '../client';
import { ValidationError } from '../common/errors';
import { redactSecrets } from '../common/redact';

/**
 * The message a person sees when a call to Temporal failed. Refusals the client explains keep
 * their message; anything else is a failure to reach or use Temporal, said as such.
 */
export function describeError(err: unknown, doing: string): { text: string; expected: boolean } {
  const explained = [MeshRunConflictError, RunNotFoundError, ApprovalRefusedError, CancelRefusedError, ScheduleConflictError, ValidationError];
  if (explained.some((type) => err instanceof type)) {
    return { text: redactSecrets((err as Error).message), expected: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    text: `Could not ${doing}: ${redactSecrets(message)}. Nothing was changed. Try again in a minute; if it keeps failing, the Temporal server may be down — tell the meshops operators.`,
    expected: false,
  };
}
