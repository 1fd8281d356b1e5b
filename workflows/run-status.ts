import { TERMINAL_PHASES, type MeshFacts, type ApprovalRecord, type CancellationRecord, type MeshStatus, type Requester, type RunPhase, type StepState } from '../common/status';
import type { MeshSpec } from '../common/mesh-spec';
import type { StepId } from '../common/steps';
import type { StepOutcome } from '../common/step-contract';

export interface RunStatusInit {
  workflowId: string;
  runId: string;
  kind: MeshStatus['kind'];
  requester: Requester;
  spec: MeshSpec;
  steps: readonly StepId[];
  now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The run's MeshStatus and the only code that changes it; plain and deterministic. */
export class RunStatusBook {
  private readonly status: MeshStatus;
  private readonly startedMs = new Map<StepId, number>();

  constructor(init: RunStatusInit) {
    this.status = {
      workflowId: init.workflowId,
      runId: init.runId,
      kind: init.kind,
      phase: 'running',
      requester: init.requester,
      spec: init.spec,
      steps: init.steps.map((id) => ({ id, state: { state: 'pending' } })),
      approvals: [],
      facts: {},
      startedAt: iso(init.now),
    };
  }

  /** A copy, so a query result or a notification never changes after it was taken. */
  snapshot(): MeshStatus {
    return JSON.parse(JSON.stringify(this.status)) as MeshStatus;
  }

  get phase(): RunPhase {
    return this.status.phase;
  }

  get workflowId(): string {
    return this.status.workflowId;
  }

  get ended(): boolean {
    return TERMINAL_PHASES.includes(this.status.phase);
  }

  get cancellation(): CancellationRecord | undefined {
    return this.status.cancellation;
  }

  recordCancellation(record: CancellationRecord): void {
    this.status.cancellation = record;
  }

  get facts(): MeshFacts {
    return this.status.facts;
  }

  setPhase(phase: RunPhase): void {
    this.status.phase = phase;
  }

  stateOf(step: StepId): StepState | undefined {
    return this.status.steps.find((s) => s.id === step)?.state;
  }

  /** Steps that are done, in plan order (rollback keeps the ones that changed a cluster). */
  doneSteps(): StepId[] {
    return this.status.steps.filter((s) => s.state.state === 'done').map((s) => s.id);
  }

  waitingApproval(step: StepId, now: number): void {
    this.set(step, { state: 'waiting-approval', since: iso(now) });
    this.status.phase = 'waiting-approval';
  }

  running(step: StepId, attempt: number, now: number, lastError?: string): void {
    if (!this.startedMs.has(step)) this.startedMs.set(step, now);
    this.set(step, { state: 'running', attempt, startedAt: iso(this.startedMs.get(step) ?? now), ...(lastError ? { lastError } : {}) });
    // A rollback runs its cleanup while the run is `cancelling`; only a passed gate returns to running.
    if (this.status.phase === 'waiting-approval') this.status.phase = 'running';
  }

  done(step: StepId, outcome: StepOutcome, now: number): void {
    this.set(step, { state: 'done', durationMs: now - (this.startedMs.get(step) ?? now), summary: outcome.summary });
    if (outcome.facts) this.status.facts = { ...this.status.facts, ...outcome.facts };
    if (outcome.verify) this.status.verify = outcome.verify;
  }

  failed(step: StepId, error: string, now: number): void {
    const started = this.startedMs.get(step);
    this.set(step, { state: 'failed', error, ...(started !== undefined ? { durationMs: now - started } : {}) });
  }

  skip(step: StepId, reason: string): void {
    this.set(step, { state: 'skipped', reason });
  }

  /** Adds a step line that is not part of the plan, e.g. `cleanup` during a rollback. */
  addStep(step: StepId): void {
    if (!this.status.steps.some((s) => s.id === step)) this.status.steps.push({ id: step, state: { state: 'pending' } });
  }

  recordApproval(record: ApprovalRecord): void {
    this.status.approvals.push(record);
  }

  /** Ends the run: every step that never ran is marked skipped with `reason`. */
  finish(phase: RunPhase, outcome: string, now: number, skippedReason: string): void {
    for (const s of this.status.steps) {
      if (s.state.state === 'pending' || s.state.state === 'waiting-approval') s.state = { state: 'skipped', reason: skippedReason };
    }
    this.status.phase = phase;
    this.status.outcome = outcome;
    this.status.endedAt = iso(now);
  }

  /** One line: what was done so far, for outcomes. */
  doneSummary(): string {
    const done = this.doneSteps();
    return done.length ? `done so far: ${done.join(', ')}` : 'no step was done';
  }

  private set(step: StepId, state: StepState): void {
    const entry = this.status.steps.find((s) => s.id === step);
    if (!entry) throw new Error(`step ${step} is not part of this run`);
    entry.state = state;
  }
}
