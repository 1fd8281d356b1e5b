export interface RunningMeshRun {
  /** What the refused start was (setup, teardown). */
  wanted: string;
  /** What holds the id: setup or teardown, or `run` when it ended before it could be described. */
  running: string;
  runId?: string;
  startTime?: Date;
  requester?: string;
}

/** The server refused a start: a setup or teardown of the same cluster pair (either order) is running. */
export class MeshRunConflictError extends Error {
  constructor(
    readonly runningWorkflowId: string,
    readonly running: RunningMeshRun,
  ) {
    const id = runningWorkflowId;
    const who = running.requester ? `, requested by ${running.requester}` : '';
    const since = running.startTime ? `, started ${running.startTime.toISOString()}` : '';
    const rollback = running.running === 'setup' ? ' (add --rollback to undo what it installed)' : '';
    super(
      running.running === 'run'
        ? `Cannot start a mesh ${running.wanted}: a run of this cluster pair (workflow ${id}) was running when you asked and has just ended. Check \`status ${id}\`, then start again.`
        : `Cannot start a mesh ${running.wanted}: a mesh ${running.running} of this cluster pair is already running as workflow ${id}${who}${since}. ` +
            `Follow it with \`status ${id}\`, or stop it with \`cancel ${id}\`${rollback}, then start again.`,
    );
    this.name = 'MeshRunConflictError';
  }
}

/** The workflow's approve validator (or the run's state) refused the decision; `message` says why. */
export class ApprovalRefusedError extends Error {
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'ApprovalRefusedError';
  }
}

export class RunNotFoundError extends Error {
  constructor(readonly workflowId: string) {
    super(`No mesh run has the workflow id ${workflowId}. List recent runs with \`runs\` and copy the id from there.`);
    this.name = 'RunNotFoundError';
  }
}

/** A verify schedule already exists for the pair. */
export class ScheduleConflictError extends Error {
  constructor(readonly scheduleId: string) {
    super(
      `A verify schedule ${scheduleId} already exists for this cluster pair. To change it, delete it first: ` +
        `\`temporal schedule delete --schedule-id ${scheduleId}\` (or in the Temporal UI).`,
    );
    this.name = 'ScheduleConflictError';
  }
}

/** The workflow refused the cancel (already rolling back, already cancelled) or the run has ended; `message` says why. */
export class CancelRefusedError extends Error {
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'CancelRefusedError';
  }
}
