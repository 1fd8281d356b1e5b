import { appendFileSync } from 'node:fs';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { STEP_ACTIVITY, type MeshStepActivities, type StepInput, type StepOutcome } from '../../common/step-contract';
import { SETUP_STEPS, type SetupStepId, type StepId } from '../../common/steps';
import type { MeshFacts } from '../../common/status';
import type { VerifyResult } from '../../common/verify-result';

/** How one fake step behaves; every field is optional and the default is a quick success. */
export interface FakeStepBehaviour {
  /** The first n attempts fail with a retryable error. */
  failTimes?: number;
  /** Every attempt fails with ApplicationFailure.nonRetryable(message). */
  nonRetryable?: string;
  /** The step heartbeats until `release(step)` (or until cancelled). */
  hold?: boolean;
  /** The step heartbeats for this long, then succeeds (for worker processes, which the test cannot call into). */
  holdMs?: number;
  /** The cleanup of this step heartbeats until `release(step)` (or until cancelled). */
  holdCleanup?: boolean;
  /** verify-split's verdict. */
  verify?: Partial<VerifyResult>;
}

export type FakeBehaviours = Partial<Record<SetupStepId, FakeStepBehaviour>>;

/** What each step reports finding; the workflow must hand these to later steps. */
export const FAKE_FACTS: Partial<Record<SetupStepId, Partial<MeshFacts>>> = {
  'wait-local': { localGatewayAddress: '10.0.0.10' },
  'patch-gateway': { remoteGatewayAddress: '10.1.0.20' },
  'link-secret': { remoteSecretName: 'istio-remote-secret-remote', remoteSecretFingerprint: 'sha256:fake' },
};

/** A verify-split that passed both verdicts, as the real step reports it. */
export const VERIFY_PASSED: VerifyResult = {
  passed: true,
  reason: 'Control plane: istiod tells the sidecar in network1 the 1 local pod(s) directly and the remote gateway 10.1.0.20:15443 for 1 remote pod(s): split-horizon EDS holds. Data plane: both versions answered.',
  controlPlane: {
    passed: true,
    reason: 'istiod tells the sidecar in network1 the 1 local pod(s) directly and the remote gateway 10.1.0.20:15443 for 1 remote pod(s): split-horizon EDS holds.',
    endpoints: [
      { endpoint: '10.244.0.5:5000', locality: 'region1/zone1', network: 'network1', weight: 1, kind: 'local-pod', what: 'local pod helloworld-v1-a' },
      { endpoint: '10.1.0.20:15443', locality: 'region2/zone2', network: 'network2', weight: 1, kind: 'remote-gateway', what: 'remote gateway (1 remote pod)' },
    ],
    diagnostics: [],
    warnings: [],
  },
  dataPlane: {
    checked: true,
    passed: true,
    reason: 'Both versions answered (v1 11, v2 9 of 20 calls, 0 failed), v1 from local pods and v2 through the remote gateway 10.1.0.20:15443.',
    requests: 20,
    failures: 0,
    byVersion: { v1: 11, v2: 9 },
    byInstance: { 'helloworld-v1-a': 11, 'helloworld-v2-b': 9 },
    byEndpoint: { '10.244.0.5:5000': 11, '10.1.0.20:15443': 9 },
  },
};

/**
 * Stand-ins for the Kubernetes step activities, at the activity boundary: they count executions
 * (in memory, and in a journal file when given one, for tests that kill worker processes), keep
 * the input each step received, and fail or hold as told.
 */
export class FakeStepActivities {
  readonly executions = new Map<StepId, number>();
  readonly inputs = new Map<StepId, StepInput>();
  readonly cleanups: StepId[] = [];
  private readonly released = new Set<SetupStepId>();
  private readonly startWaiters: { step: StepId; attempt: number; resolve: () => void }[] = [];

  constructor(
    private readonly behaviours: FakeBehaviours = {},
    private readonly journal?: string,
  ) {}

  /** Lets a held step finish. */
  release(step: SetupStepId): void {
    this.released.add(step);
  }

  /** Resolves once `step` has started its `attempt`-th execution. */
  started(step: StepId, attempt = 1): Promise<void> {
    if ((this.executions.get(step) ?? 0) >= attempt) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push({ step, attempt, resolve }));
  }

  count(step: StepId): number {
    return this.executions.get(step) ?? 0;
  }

  activities(): MeshStepActivities {
    const entries = SETUP_STEPS.map((step) => [STEP_ACTIVITY[step], (input: StepInput) => this.run(step, input)] as const);
    return {
      ...(Object.fromEntries(entries) as Omit<MeshStepActivities, 'cleanupStep'>),
      cleanupStep: async (input) => {
        this.record('cleanup', input);
        const step = input.step as SetupStepId;
        if (this.behaviours[step]?.holdCleanup) await this.heartbeatUntil(() => this.released.has(step));
        this.cleanups.push(input.step);
        return { summary: `cleaned up ${input.step}` };
      },
    };
  }

  private record(step: StepId, input: StepInput): number {
    const n = (this.executions.get(step) ?? 0) + 1;
    this.executions.set(step, n);
    this.inputs.set(step, structuredClone(input));
    if (this.journal) appendFileSync(this.journal, `start ${step}\n`);
    for (const w of this.startWaiters.filter((w) => w.step === step && w.attempt <= n)) {
      this.startWaiters.splice(this.startWaiters.indexOf(w), 1);
      w.resolve();
    }
    return n;
  }

  private async run(step: SetupStepId, input: StepInput): Promise<StepOutcome> {
    const n = this.record(step, input);
    const b = this.behaviours[step] ?? {};
    if (b.nonRetryable) throw ApplicationFailure.nonRetryable(b.nonRetryable, 'FakeStepFailure');
    if (b.failTimes && n <= b.failTimes) throw ApplicationFailure.retryable(`${step}: transient failure ${n} of ${b.failTimes}`, 'FakeTransient');
    if (b.hold) await this.heartbeatUntil(() => this.released.has(step));
    if (b.holdMs) {
      const until = Date.now() + b.holdMs;
      await this.heartbeatUntil(() => Date.now() >= until);
    }
    if (this.journal) appendFileSync(this.journal, `end ${step}\n`);
    return {
      summary: `${step} done (fake, attempt ${n})`,
      ...(FAKE_FACTS[step] ? { facts: FAKE_FACTS[step] } : {}),
      ...(step === 'verify-split' ? { verify: { ...VERIFY_PASSED, ...b.verify } } : {}),
    };
  }

  /** Heartbeats until `done()`; Context.sleep rejects when the activity is cancelled. */
  private async heartbeatUntil(done: () => boolean): Promise<void> {
    while (!done()) {
      Context.current().heartbeat();
      await Context.current().sleep(100);
    }
  }
}
