import { ApplicationFailure, CancellationScope, CancelledFailure, condition, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { describeIssues } from '../common/errors';
import { CancelRequest, type CancellationRecord } from '../common/status';
import { REFUSAL, cancelUpdate, rollbackOnCancelSignal } from './messages';
import type { RunStatusBook } from './run-status';

const iso = (ms: number) => new Date(ms).toISOString();

interface RunState {
  book: RunStatusBook;
  /** What a cancel does without saying (`spec.rollback`); false for runs that never roll back. */
  rollbackBySpec: boolean;
  canRollBack: boolean;
}

/**
 * How a run is cancelled. The cancel Update records who cancelled, when and whether to roll back,
 * then cancels `scope`, in which the run does its work: one operation, refused once the run is
 * rolling back. A plain Temporal cancel (UI, temporal CLI) reaches the same scope through the root
 * and is recorded without a name.
 *
 * Constructed before the run parses its input, so a cancel sent right after the start (delivered
 * with the first workflow task) finds its handler; `attach` then gives it the run's status.
 */
export class RunCancellation {
  readonly scope = new CancellationScope();
  private run?: RunState;
  private rollbackOverride?: boolean;
  private request?: CancelRequest & { at: string };
  private closedBecause?: string;

  constructor() {
    setHandler(cancelUpdate, (request) => this.accept(request), { validator: (request) => this.assertMayCancel(request) });
    setHandler(rollbackOnCancelSignal, (on) => void (this.rollbackOverride = on));
  }

  attach(book: RunStatusBook, opts: { rollbackBySpec: boolean; canRollBack: boolean }): void {
    this.run = { book, ...opts };
  }

  /** True when `err` is this run being cancelled (by the Update or by Temporal), not one attempt stopped. */
  caught(err: unknown): boolean {
    return isCancellation(err) && this.scope.consideredCancelled;
  }

  /** Between steps: a cancel accepted while the last step finished stops the run here, before the next. */
  checkpoint(): void {
    if (this.scope.consideredCancelled) throw new CancelledFailure('the run was cancelled between steps');
  }

  /** The record of a cancel already caught: the Update's, or one for a Temporal cancel made now. */
  settle(now: number): CancellationRecord {
    const record = this.recordFor(this.request ?? { at: iso(now) });
    this.book.recordCancellation(record);
    return record;
  }

  /**
   * What the run throws once it has reported its end: a Temporal cancel ends it CANCELED. After the
   * Update only the work scope was cancelled, and Temporal cancels a run only from outside (a run's
   * request to cancel itself is refused as "not found"), so it fails with a CancelledFailure naming
   * who cancelled: either way a caller of `result()` gets a CancelledFailure, and the phase says
   * `cancelled`.
   */
  failure(err: unknown): unknown {
    if (CancellationScope.current().consideredCancelled) return err;
    const by = this.request?.by;
    return new CancelledFailure(`cancelled${by ? ` by ${by.id}` : ''}`);
  }

  /** From now on a cancel is refused with `why` (e.g. the run is already rolling back after a failure). */
  close(why: string): void {
    this.closedBecause = why;
  }

  private get book(): RunStatusBook {
    if (!this.run) throw new Error('RunCancellation used before attach');
    return this.run.book;
  }

  private recordFor(request: { by?: CancelRequest['by']; rollback?: boolean; at: string }): CancellationRecord {
    const run = this.run;
    const rollback = !!run?.canRollBack && (request.rollback ?? this.rollbackOverride ?? run.rollbackBySpec);
    return { ...(request.by ? { by: request.by } : {}), at: request.at, rollback };
  }

  private assertMayCancel(input: unknown): void {
    const refuse = (message: string): never => {
      throw ApplicationFailure.nonRetryable(message, REFUSAL.cancel);
    };
    const parsed = CancelRequest.safeParse(input);
    if (!parsed.success) refuse(`Invalid cancel request:\n${describeIssues(parsed.error)}`);
    const { workflowId: id } = workflowInfo();
    const earlier = this.request;
    const who = earlier ? ` by ${earlier.by.id} at ${earlier.at}` : '';
    if (this.run?.book.phase === 'cancelling') refuse(`Run ${id} is already rolling back (cancelled${who}); follow it with \`status ${id}\`.`);
    if (earlier || this.scope.consideredCancelled) refuse(`Run ${id} is already being cancelled${who}; follow it with \`status ${id}\`.`);
    if (this.closedBecause) refuse(`Run ${id} cannot be cancelled: ${this.closedBecause}; follow it with \`status ${id}\`.`);
    if (this.run?.book.ended) refuse(`Run ${id} already ended (${this.run.book.phase}); there is nothing to cancel.`);
  }

  private async accept(input: CancelRequest): Promise<CancellationRecord> {
    this.request = { ...CancelRequest.parse(input), at: iso(Date.now()) };
    this.scope.cancel();
    // Sent before the run read its input: answer once it knows whether it rolls back.
    if (!this.run) await condition(() => this.run !== undefined);
    const record = this.recordFor(this.request);
    this.book.recordCancellation(record);
    return record;
  }
}
