import { z } from 'zod';

/**
 * The seed's procedure, one activity per step, in the order the mesh setup runs them. The remote
 * secret is linked before the remote's gateway is started: only once istiod watches the remote
 * through that secret does it patch the remote's injection webhook (which injects the gateway) and
 * write there the root certificate the gateway mounts.
 */
export const SETUP_STEPS = [
  'preflight',
  'install-local',
  'wait-local',
  'install-remote',
  'link-secret',
  'wait-remote',
  'patch-gateway',
  'deploy-samples',
  'verify-split',
] as const;

export const StepId = z
  .enum([...SETUP_STEPS, 'cleanup'])
  .describe('One step of the mesh procedure, e.g. install-remote');
export type StepId = z.infer<typeof StepId>;
export type SetupStepId = (typeof SETUP_STEPS)[number];

export interface StepInfo {
  /** The seed section the step implements. */
  seedSection: string;
  /** What a person reads in the checklist. */
  title: string;
  /** Read-only steps never change a cluster and need no rollback. */
  readOnly: boolean;
}

export const STEP_CATALOGUE: Record<StepId, StepInfo> = {
  preflight: { seedSection: 'Before you begin', title: 'Check both clusters', readOnly: true },
  'install-local': { seedSection: 'Setup the local cluster', title: 'Install Istio on local', readOnly: false },
  'wait-local': { seedSection: 'Wait for local pods', title: 'Wait for local control plane', readOnly: true },
  'install-remote': { seedSection: 'Setup the remote cluster', title: 'Install Istio on remote', readOnly: false },
  'wait-remote': { seedSection: 'Wait for remote pods', title: 'Start the remote gateway', readOnly: false },
  'patch-gateway': { seedSection: 'Update the gateway address', title: 'Write remote gateway address', readOnly: false },
  'link-secret': { seedSection: 'Start watching the remote cluster', title: 'Link remote cluster secret', readOnly: false },
  'deploy-samples': { seedSection: 'Example service', title: 'Deploy helloworld and sleep', readOnly: false },
  'verify-split': { seedSection: 'Split-horizon EDS in action', title: 'Verify the traffic split', readOnly: true },
  cleanup: { seedSection: 'Cleanup', title: 'Clean up', readOnly: false },
};

/** The steps of one version of the procedure and which of them change a cluster (rollback and teardown undo those). */
export interface Procedure {
  steps: readonly SetupStepId[];
  mutating: readonly SetupStepId[];
}

export const PROCEDURE: Procedure = {
  steps: SETUP_STEPS,
  mutating: SETUP_STEPS.filter((s) => !STEP_CATALOGUE[s].readOnly),
};

/**
 * The seed's own order (link-secret after the remote gateway, which wait-remote only waited for),
 * as runs recorded before the change ran it: workflows replay those with it (`patched`).
 */
export const SEED_ORDER_PROCEDURE: Procedure = {
  steps: ['preflight', 'install-local', 'wait-local', 'install-remote', 'wait-remote', 'patch-gateway', 'link-secret', 'deploy-samples', 'verify-split'],
  mutating: ['install-local', 'install-remote', 'patch-gateway', 'link-secret', 'deploy-samples'],
};
