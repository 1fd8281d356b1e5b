import {
  type Client,
  type WorkflowHandle,
  ScheduleAlreadyRunning,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, type Duration as TemporalDuration } from '@temporalio/common';
import { z } from 'zod';
import { Duration } from '../common/approval-policy';
import { parseOrThrow } from '../common/errors';
import { MeshSpec, type MeshSpecInput } from '../common/mesh-spec';
import { LEGACY_WORKFLOW_ID_PREFIXES, WORKFLOW_ID_PREFIX, meshKey, unorderedPairKey, workflowIdFor } from '../common/naming';
import { MESH_PAIR, MESH_PHASE, MESH_REQUESTER, visibilityLiteral } from '../common/search-attributes';
import { ApprovalDecision, type ApprovalRecord, Approver, type CancellationRecord, MeshStatus, Requester, RunPhase } from '../common/status';
import type * as meshWorkflows from '../workflows';
import { REFUSAL, approveUpdate, cancelUpdate, statusQuery } from '../workflows/messages';
import { MeshRunInput } from '../common/run-input';
import { ApprovalRefusedError, CancelRefusedError, MeshRunConflictError, RunNotFoundError, ScheduleConflictError } from './errors';

export type RequesterInput = z.input<typeof Requester>;
export type ApprovalDecisionInput = z.input<typeof ApprovalDecision>;
export type RunKind = 'setup' | 'teardown' | 'verify';

/** Workflow type names, checked against what workflows/index.ts exports. */
export const MESH_WORKFLOW_TYPE = {
  setup: 'meshSetup',
  teardown: 'meshTeardown',
  verify: 'meshVerify',
} as const satisfies Record<RunKind, keyof typeof meshWorkflows>;

const WorkflowId = z.string().trim().min(1, { message: 'give the workflow id of a run, e.g. mesh/local--remote' });
const CancelOptions = z.object({
  by: Approver.describe('Who cancels, recorded in the run\'s status'),
  rollback: z.boolean().optional().describe('Clean up what was installed; unset keeps the spec\'s rollback setting'),
});
const RunId = z.string().trim().min(1).optional();
const Limit = z.number().int().min(1).max(1000);
const Pair = z.object({ local: z.string().trim().min(1), remote: z.string().trim().min(1) });
const RunFilter = z
  .object({
    pair: Pair.optional().describe('The cluster pair, by its two contexts'),
    pairs: z.array(Pair).min(1).optional().describe('Any of these cluster pairs (one query for all of them)'),
    phase: RunPhase.optional(),
    requester: z.string().trim().min(1).optional().describe('The requester\'s id'),
  })
  .strict();
export type RunFilterInput = z.input<typeof RunFilter>;

export interface StartedRun {
  workflowId: string;
  runId: string;
}

/** One line of `runs`: what Temporal's visibility store knows, plus the phase the run wrote in its memo. */
export interface RunSummary {
  workflowId: string;
  runId: string;
  kind: RunKind | 'unknown';
  /** Temporal's execution status: RUNNING, COMPLETED, CANCELLED, FAILED, TERMINATED, TIMED_OUT… */
  temporalStatus: string;
  /** The run's own phase (done, failed, rejected, timed-out…): its MeshPhase search attribute, or its memo for runs older than that. */
  phase?: string;
  /** The cluster pair as `<local>--<remote>` (MeshPair). */
  pair?: string;
  local?: string;
  remote?: string;
  requester?: string;
  startTime: Date;
  closeTime?: Date;
}

export interface MeshClientOptions {
  client: Client;
  taskQueue: string;
}

/**
 * The verbs both edges (Slack bot, CLI) use. Every input is parsed with zod here, so workflows get
 * validated specs only, and every refusal is an Error whose message a person can act on.
 */
export class MeshClient {
  private readonly client: Client;
  private readonly taskQueue: string;

  constructor(opts: MeshClientOptions) {
    this.client = opts.client;
    this.taskQueue = opts.taskQueue;
  }

  /**
   * Starts meshSetup for the pair. Setup and teardown of a pair (in either order) share one
   * workflow id, so while one runs the server refuses the start: MeshRunConflictError.
   */
  startSetup(spec: MeshSpecInput, requester: RequesterInput): Promise<StartedRun> {
    return this.start('setup', spec, requester);
  }

  /** Starts meshTeardown (the seed's full cleanup); refused like startSetup while a setup or teardown of the pair runs. */
  teardown(spec: MeshSpecInput, requester: RequesterInput): Promise<StartedRun> {
    return this.start('teardown', spec, requester);
  }

  /** Starts a one-off meshVerify (verify-split alone). */
  verify(spec: MeshSpecInput, requester: RequesterInput): Promise<StartedRun> {
    return this.start('verify', spec, requester);
  }

  /**
   * Approves or rejects the open gate. A decision naming a run id (from its approval buttons)
   * reaches that run only: a button of an ended run never decides a later run of the pair. The
   * workflow's refusal surfaces as ApprovalRefusedError.
   */
  async approve(workflowId: string, decision: ApprovalDecisionInput): Promise<ApprovalRecord> {
    const id = parseOrThrow(WorkflowId, workflowId, 'workflow id');
    const parsed = parseOrThrow(ApprovalDecision, decision, 'approval decision');
    const handle = this.client.workflow.getHandle(id, parsed.runId);
    try {
      return await handle.executeUpdate(approveUpdate, { args: [parsed] });
    } catch (err) {
      const refusal = refusalOf(err, REFUSAL.approval, REFUSAL.noGates);
      if (refusal) throw new ApprovalRefusedError(id, refusal);
      // An Update to a closed run fails as not-found; tell a run that ended from one that never was.
      const ended = await this.endedPhase(handle);
      if (ended && parsed.runId) {
        throw new ApprovalRefusedError(id, `This ${parsed.decision} is for run ${parsed.runId} of ${id}, which has ended (${ended}); its gate closed with it. If a newer run of the pair waits, use the buttons of its own message.`);
      }
      if (ended) throw new ApprovalRefusedError(id, `Run ${id} already ended (${ended}); there is no gate left to approve. Start a new setup if the mesh is still wanted.`);
      throw err;
    }
  }

  /** The run's MeshStatus, live while it runs and final once it ended; `runId` picks one run of the id (default: the latest). */
  async status(workflowId: string, runId?: string): Promise<MeshStatus> {
    const id = parseOrThrow(WorkflowId, workflowId, 'workflow id');
    const run = parseOrThrow(RunId, runId, 'run id');
    try {
      // Parsed like any other input from outside: a worker on older code could answer differently.
      return parseOrThrow(MeshStatus, await this.client.workflow.getHandle(id, run).query(statusQuery), `status of ${id}`);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new RunNotFoundError(id);
      throw err;
    }
  }

  /**
   * Cancels the run in one Update that records who cancelled, when, and whether it rolls back
   * (from the option, else the spec); the current step is stopped (activities notice through
   * heartbeats) and, with rollback, what was installed is cleaned up in reverse order. Refused
   * (CancelRefusedError) for a run that ended or is already rolling back.
   */
  async cancel(workflowId: string, options: z.input<typeof CancelOptions>): Promise<CancellationRecord> {
    const id = parseOrThrow(WorkflowId, workflowId, 'workflow id');
    const request = parseOrThrow(CancelOptions, options, 'cancel options');
    const handle = this.client.workflow.getHandle(id);
    try {
      return await handle.executeUpdate(cancelUpdate, { args: [request] });
    } catch (err) {
      const refusal = refusalOf(err, REFUSAL.cancel);
      if (refusal) throw new CancelRefusedError(id, refusal);
      const ended = await this.endedPhase(handle);
      if (ended) throw new CancelRefusedError(id, `Run ${id} already ended (${ended}); there is nothing to cancel.`);
      throw err;
    }
  }

  /**
   * Most recent runs on this task queue, newest first. The filter is a visibility query on the
   * runs' typed search attributes (MeshPair, MeshPhase, MeshRequester), answered by the server.
   * Runs started before those attributes existed carry none: they are listed unfiltered (phase from
   * their memo), found by pair through their workflow id, and not by phase or requester.
   */
  async listRuns(limit = 20, filter: RunFilterInput = {}): Promise<RunSummary[]> {
    const max = parseOrThrow(Limit, limit, 'limit');
    const query = this.runsQuery(parseOrThrow(RunFilter, filter, 'runs filter'));
    const runs: RunSummary[] = [];
    for await (const info of this.client.workflow.list({ query, pageSize: Math.min(max, 100) })) {
      const memo = (info.memo ?? {}) as Record<string, unknown>;
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const sa = info.typedSearchAttributes;
      const kind = (Object.keys(MESH_WORKFLOW_TYPE) as RunKind[]).find((k) => MESH_WORKFLOW_TYPE[k] === info.type) ?? 'unknown';
      const local = text(memo.local);
      const remote = text(memo.remote);
      runs.push({
        workflowId: info.workflowId,
        runId: info.runId,
        kind,
        temporalStatus: info.status.name,
        phase: sa?.get(MESH_PHASE) ?? text(memo.phase),
        pair: sa?.get(MESH_PAIR) ?? (local && remote ? meshKey(local, remote) : undefined),
        local,
        remote,
        requester: sa?.get(MESH_REQUESTER) ?? text(memo.requester),
        startTime: info.startTime,
        closeTime: info.closeTime,
      });
      if (runs.length >= max) break;
    }
    return runs;
  }

  /** The visibility query listRuns sends. */
  runsQuery(filter: z.infer<typeof RunFilter> = {}): string {
    const types = Object.values(MESH_WORKFLOW_TYPE).map(visibilityLiteral).join(', ');
    const clauses = [`TaskQueue = ${visibilityLiteral(this.taskQueue)}`, `WorkflowType IN (${types})`];
    const pairs = [...(filter.pair ? [filter.pair] : []), ...(filter.pairs ?? [])];
    if (pairs.length > 0) {
      // A pair in either order: setup of `a b` and teardown of `b a` are runs of the same clusters.
      const keys = [...new Set(pairs.flatMap(({ local, remote }) => [meshKey(local, remote), meshKey(remote, local)]))];
      // Runs from before MeshPair existed are found by their pair-derived workflow id.
      const legacy = LEGACY_WORKFLOW_ID_PREFIXES.flatMap((prefix) => keys.map((key) => `${prefix}/${key}`));
      const current = pairs.flatMap(({ local, remote }) => Object.values(WORKFLOW_ID_PREFIX).map((prefix) => `${prefix}/${unorderedPairKey(local, remote)}`));
      const ids = [...new Set([...current, ...legacy])].map(visibilityLiteral).join(', ');
      clauses.push(`(${MESH_PAIR.name} IN (${keys.map(visibilityLiteral).join(', ')}) OR WorkflowId IN (${ids}))`);
    }
    if (filter.phase) clauses.push(`${MESH_PHASE.name} = ${visibilityLiteral(filter.phase)}`);
    if (filter.requester) clauses.push(`${MESH_REQUESTER.name} = ${visibilityLiteral(filter.requester)}`);
    return clauses.join(' AND ');
  }

  /** A schedule that runs meshVerify for the pair every `every` (e.g. 15m); drift is reported by the notifier. */
  async createVerifySchedule(spec: MeshSpecInput, every: string, requester?: RequesterInput): Promise<{ scheduleId: string }> {
    const interval = parseOrThrow(Duration, every, 'schedule interval');
    const input = this.parseInput(spec, requester ?? { id: 'schedule', via: 'schedule' });
    const scheduleId = verifyScheduleId(input.spec);
    try {
      await this.client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: interval as TemporalDuration }] },
        action: {
          type: 'startWorkflow',
          workflowType: MESH_WORKFLOW_TYPE.verify,
          workflowId: workflowIdFor('verify', input.spec.local.context, input.spec.remote.context),
          taskQueue: this.taskQueue,
          args: [input],
          memo: runMemo(input),
        },
        policies: { overlap: 'SKIP', catchupWindow: '1m' },
        memo: runMemo(input),
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new ScheduleConflictError(scheduleId);
      throw err;
    }
    return { scheduleId };
  }

  private parseInput(spec: MeshSpecInput, requester: RequesterInput): MeshRunInput {
    return parseOrThrow(MeshRunInput, { spec: parseOrThrow(MeshSpec, spec, 'mesh spec'), requester: parseOrThrow(Requester, requester, 'requester') }, 'run input');
  }

  private async start(kind: RunKind, spec: MeshSpecInput, requester: RequesterInput): Promise<StartedRun> {
    const input = this.parseInput(spec, requester);
    const workflowId = workflowIdFor(kind, input.spec.local.context, input.spec.remote.context);
    try {
      const handle = await this.client.workflow.start<(typeof meshWorkflows)[(typeof MESH_WORKFLOW_TYPE)[RunKind]]>(MESH_WORKFLOW_TYPE[kind], {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        // One run per pair at a time; a finished run's id may be reused by the next one.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        // The typed search attributes are set by the workflow's first task (workflows/run-index.ts), on a
        // worker that has made sure the namespace has them; a start never fails for their lack.
        memo: runMemo(input),
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw await this.conflict(workflowId, kind);
      throw err;
    }
  }

  /** The server refused a start because a run holds the id: say which kind, since when, and for whom. */
  private async conflict(workflowId: string, wanted: RunKind): Promise<MeshRunConflictError> {
    try {
      const d = await this.client.workflow.getHandle(workflowId).describe();
      if (d.status.name !== 'RUNNING') return new MeshRunConflictError(workflowId, { wanted, running: 'run' });
      const kind = (Object.keys(MESH_WORKFLOW_TYPE) as RunKind[]).find((k) => MESH_WORKFLOW_TYPE[k] === d.type) ?? d.type;
      const requester = d.typedSearchAttributes?.get(MESH_REQUESTER) ?? (d.memo as Record<string, unknown> | undefined)?.requester;
      return new MeshRunConflictError(workflowId, { wanted, running: kind, runId: d.runId, startTime: d.startTime, requester: typeof requester === 'string' ? requester : undefined });
    } catch {
      // Gone between the refusal and the describe: still refused, with less detail.
      return new MeshRunConflictError(workflowId, { wanted, running: 'run' });
    }
  }

  /** The phase of a run that is no longer running, or undefined while it runs. */
  private async endedPhase(handle: WorkflowHandle): Promise<string | undefined> {
    let d;
    try {
      d = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new RunNotFoundError(handle.workflowId);
      throw err;
    }
    if (d.status.name === 'RUNNING') return undefined;
    const phase = d.typedSearchAttributes?.get(MESH_PHASE) ?? (d.memo as Record<string, unknown> | undefined)?.phase;
    return typeof phase === 'string' ? phase : d.status.name.toLowerCase();
  }
}

export function verifyScheduleId(spec: MeshSpec): string {
  return `${WORKFLOW_ID_PREFIX.verify}-schedule/${meshKey(spec.local.context, spec.remote.context)}`;
}

/** The message of a validator's refusal of one of `types`, or undefined for any other failure. */
function refusalOf(err: unknown, ...types: string[]): string | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  return cause instanceof ApplicationFailure && types.includes(cause.type ?? '') ? cause.message : undefined;
}

/** Shown by listRuns without a query to the worker; never holds a secret. */
function runMemo(input: MeshRunInput): Record<string, string> {
  return { local: input.spec.local.context, remote: input.spec.remote.context, requester: input.requester.id };
}

