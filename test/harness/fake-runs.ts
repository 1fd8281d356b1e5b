import { ApplicationFailure, Context } from '@temporalio/activity';
import type { MeshStepActivities, NotifierActivities } from '../../common/step-contract';
import { FakeStepActivities, type FakeBehaviours } from './fake-step-activities';
import { RecordingNotifier } from './recording-notifier';

export interface FakeRun {
  steps: FakeStepActivities;
  notifier: RecordingNotifier;
}

/**
 * One worker, many runs: each test registers its run's fakes under the workflow id, and the
 * activities the worker holds route every call to the fakes of the run that made it.
 */
export class FakeRuns {
  private readonly runs = new Map<string, FakeRun>();

  add(workflowId: string, behaviours: FakeBehaviours = {}, opts: { failingNotifier?: boolean } = {}): FakeRun {
    const run = { steps: new FakeStepActivities(behaviours), notifier: new RecordingNotifier(opts.failingNotifier) };
    this.runs.set(workflowId, run);
    return run;
  }

  activities(): MeshStepActivities & NotifierActivities {
    const runOf = (): FakeRun => {
      const id = Context.current().info.workflowExecution?.workflowId ?? '(no workflow)';
      // Schedules append a timestamp to the workflow id they were given: fall back to a prefix.
      const run = this.runs.get(id) ?? [...this.runs].find(([key]) => id.startsWith(`${key}-`))?.[1];
      if (!run) throw ApplicationFailure.nonRetryable(`no fakes registered for workflow ${id}`, 'FakeMissing');
      return run;
    };
    const names = Object.keys(new FakeStepActivities().activities()) as (keyof MeshStepActivities)[];
    const steps = Object.fromEntries(
      names.map((name) => [name, (input: never) => (runOf().steps.activities()[name] as (i: never) => Promise<unknown>)(input)]),
    ) as MeshStepActivities;
    return { ...steps, notify: (event) => runOf().notifier.activities().notify(event) };
  }
}
