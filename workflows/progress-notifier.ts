import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import type { NotifierActivities, NotifierRef, ProgressEvent } from '../common/step-contract';
import type { MeshStatus } from '../common/status';
import type { StepId } from '../common/steps';
import { NOTIFY } from './retry-presets';

const { notify } = proxyActivities<NotifierActivities>(NOTIFY);

type Pending = Omit<ProgressEvent, 'ref'>;

/**
 * Sends progress events in order without holding up the run. One event is in flight at a time, so
 * the notifier's ref flows from each answer into the next event. Every event carries the whole
 * status, so while one is in flight a newer `step-changed` replaces a queued older one: a slow or
 * failing notifier falls behind by at most one checklist, never by a backlog. Sends run in a
 * non-cancellable scope (a cancelled run still reports how it ended); a notifier that keeps failing
 * is logged and otherwise ignored.
 */
export class ProgressNotifier {
  private ref?: NotifierRef;
  private readonly queue: Pending[] = [];
  private pumping?: Promise<void>;

  send(type: ProgressEvent['type'], status: MeshStatus, step?: StepId): void {
    const last = this.queue.at(-1);
    if (type === 'step-changed' && last?.type === 'step-changed') this.queue.pop();
    this.queue.push({ type, status, ...(step ? { step } : {}) });
    this.pumping ??= this.pump();
  }

  /** Resolves once every event sent so far was delivered or given up on. */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    for (;;) {
      const event = this.queue.shift();
      // Cleared in the same synchronous step that found the queue empty, so no send() is lost.
      if (!event) return void (this.pumping = undefined);
      await this.deliver(event);
    }
  }

  private deliver(event: Pending): Promise<void> {
    return CancellationScope.nonCancellable(async () => {
      try {
        const result = await notify({ ...event, ...(this.ref ? { ref: this.ref } : {}) });
        if (result?.ref) this.ref = result.ref;
      } catch (err) {
        log.warn('notifier failed; the run goes on without this update', { event: event.type, step: event.step, error: (err as Error).message });
      }
    });
  }
}
