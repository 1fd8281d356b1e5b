import { ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, setHandler } from '@temporalio/workflow';
import { describeIssues } from '../common/errors';
import { CancelRequest, type CancellationRecord } from '../common/status';
import { REFUSAL, cancelUpdate, rollbackOnCancelSignal } from './messages';
import type { RunStatusBook } from './run-status';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * How a run is cancelled. The cancel Update records who cancelled, when and whether to roll back,
 * then cancels `scope`, in which the run does its work: one operation, refused once the run is
 * rolling back. A plain Temporal cancel (UI, temporal CLI) reaches the same scope through the root
 * and is recorded without a name.
 */
export class RunCancellation {
  readonly scope = new CancellationScope();
  private rollbackOverride?: boolean;
  private closedBecause?: string;

  constructor(
    private readonly book: RunStatusBook,
    private readonly rollbackBySpec: boolean,
  ) {
    setHandler(cancelUpdate, (request) => this.accept(request), { validator: (request) => this.assertMayCancel(request) });
    setHandler(rollbackOnCancelSignal, (on) => void (this.rollbackOverride = on));
  }

  /** True when `err` is this run being cancelled (by the Update or by Temporal), not one attempt stopped. */
  caught(err: unknown): boolean {
    return isCancellation(err) && this.scope.consideredCancelled;
  }

  /** The record of a cancel already caught: the Update's, or one for a Temporal cancel made now. */
  settle(now: number): CancellationRecord {
    const record = this.book.cancellation ?? { at: iso(now), rollback: this.rollbackOverride ?? this.rollbackBySpec };
    this.book.recordCancellation(record);
    return record;
  }

  /**
   * What the run throws once it has reported its end. A Temporal cancel ends it CANCELED; after the
   * Update only the work scope was cancelled, and a CancelledFailure fails the run with that cause:
   * either way a caller waiting on the result gets a CancelledFailure.
   */
  failure(err: unknown): unknown {
    if (CancellationScope.current().consideredCancelled) return err;
    const by = this.book.cancellation?.by;
    return new CancelledFailure(`cancelled${by ? ` by ${by.id}` : ''}`);
  }

  /** From now on a cancel is refused with `why` (e.g. the run is already rolling back after a failure). */
  close(why: string): void {
    this.closedBecause = why;
  }

  private assertMayCancel(input: unknown): void {
    const parsed = CancelRequest.safeParse(input);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid cancel request:\n${describeIssues(parsed.error)}`, REFUSAL.cancel);
    const id = this.book.workflowId;
    const earlier = this.book.cancellation;
    const who = earlier?.by ? ` by ${earlier.by.id}` : '';
    if (this.book.phase === 'cancelling') {
      throw ApplicationFailure.nonRetryable(`Run ${id} is already rolling back (cancelled${who} at ${earlier?.at ?? 'an earlier time'}); follow it with \`status ${id}\`.`, REFUSAL.cancel);
    }
    if (earlier || this.scope.consideredCancelled) {
      throw ApplicationFailure.nonRetryable(`Run ${id} is already being cancelled${who}${earlier ? ` at ${earlier.at}` : ''}; follow it with \`status ${id}\`.`, REFUSAL.cancel);
    }
    if (this.closedBecause) throw ApplicationFailure.nonRetryable(`Run ${id} cannot be cancelled: ${this.closedBecause}; follow it with \`status ${id}\`.`, REFUSAL.cancel);
    if (this.book.ended) throw ApplicationFailure.nonRetryable(`Run ${id} already ended (${this.book.phase}); there is nothing to cancel.`, REFUSAL.cancel);
  }

  private accept(request: CancelRequest): CancellationRecord {
    const { by, rollback } = CancelRequest.parse(request);
    const record: CancellationRecord = { by, at: iso(Date.now()), rollback: rollback ?? this.rollbackOverride ?? this.rollbackBySpec };
    this.book.recordCancellation(record);
    this.scope.cancel();
    return record;
  }
}
