import type { MeshSpec } from './mesh-spec';
import type { MeshRunInput } from './run-input';
import type { MeshFacts, MeshStatus } from './status';
import type { SetupStepId, StepId } from './steps';
import type { VerifyResult } from './verify-result';

/** What every step activity receives: the validated spec and the facts earlier steps found. */
export interface StepInput {
  spec: MeshSpec;
  facts: MeshFacts;
  /** Set for runs that started in the seed's step order (before link-secret moved), which today's steps cannot finish. */
  procedure?: 'seed-order';
}

/** What a step activity returns; `facts` are merged into the run's facts for later steps. */
export interface StepOutcome {
  /** One line a person reads in the checklist, e.g. "12 objects applied to local". */
  summary: string;
  facts?: Partial<MeshFacts>;
  verify?: VerifyResult;
}

export type StepActivity = (input: StepInput) => Promise<StepOutcome>;

/** Activity (function) name of each setup step. */
export const STEP_ACTIVITY = {
  preflight: 'preflight',
  'install-local': 'installLocal',
  'wait-local': 'waitLocal',
  'install-remote': 'installRemote',
  'wait-remote': 'waitRemote',
  'patch-gateway': 'patchGateway',
  'link-secret': 'linkSecret',
  'deploy-samples': 'deploySamples',
  'verify-split': 'verifySplit',
} as const satisfies Record<SetupStepId, string>;

export type MeshStepActivities = { [K in (typeof STEP_ACTIVITY)[SetupStepId]]: StepActivity } & {
  /** Undoes one step's effect (the seed's cleanup for it); idempotent, a no-op when nothing is there. */
  cleanupStep(input: StepInput & { step: StepId }): Promise<StepOutcome>;
};

/** A change the workflow reports; the notifier renders it (Slack) or records it (tests). */
export interface ProgressEvent {
  type: 'started' | 'step-changed' | 'approval-requested' | 'approval-decided' | 'finished';
  step?: StepId;
  status: MeshStatus;
  /** Where the notifier put the run's parent message, as it returned it last time. */
  ref?: NotifierRef;
}

/** Opaque to the workflow: e.g. a Slack channel and message ts. Kept in workflow state. */
export type NotifierRef = Record<string, string>;

export interface NotifierActivities {
  notify(event: ProgressEvent): Promise<{ ref?: NotifierRef }>;
}

/** A setup or teardown of a cluster pair that is running now. */
export interface ActiveMutatingRun {
  workflowId: string;
  runId: string;
  kind: 'setup' | 'teardown';
}

/** What the workflows ask Temporal itself about a pair; implemented with the worker's client. */
export interface PairRunActivities {
  activeMutatingRun(pair: { local: string; remote: string }): Promise<ActiveMutatingRun | undefined>;
}

/** The workflows' input check, run as a local activity so its answer is recorded once. */
export interface RunInputActivities {
  parseRunInput(input: unknown, workflow: string): Promise<MeshRunInput>;
}
