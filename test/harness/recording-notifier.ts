import type { NotifierActivities, ProgressEvent } from '../../common/step-contract';

/**
 * The notifier activity for tests: records every event it receives and answers with a ref that
 * counts up, so a test can check the workflow passes the previous ref back. `failing` makes every
 * call throw, to show a broken notifier never fails a run.
 */
export class RecordingNotifier {
  readonly events: ProgressEvent[] = [];
  calls = 0;

  constructor(private readonly failing = false) {}

  activities(): NotifierActivities {
    return {
      notify: async (event) => {
        this.calls++;
        if (this.failing) throw new Error('notifier is down (test)');
        this.events.push(structuredClone(event));
        return { ref: { message: String(this.events.length) } };
      },
    };
  }

  types(): string[] {
    return this.events.map((e) => (e.step ? `${e.type}:${e.step}` : e.type));
  }
}
