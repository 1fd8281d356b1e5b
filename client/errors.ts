/** A second run for a cluster pair that already has one running. */
export class MeshRunConflictError extends Error {
  constructor(
    readonly runningWorkflowId: string,
    kind: string,
  ) {
    super(
      `A mesh ${kind} for this cluster pair is already running as workflow ${runningWorkflowId}. ` +
        `Follow it with \`status ${runningWorkflowId}\`, approve or cancel it, or wait for it to end before starting another.`,
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
