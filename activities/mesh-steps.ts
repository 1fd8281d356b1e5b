import type { MeshStepActivities } from '../common/step-contract';
import { cleanupStep } from './istio/steps/cleanup';
import { deploySamples } from './istio/steps/deploy-samples';
import { installLocal, installRemote } from './istio/steps/install-steps';
import { linkSecret } from './istio/steps/link-secret';
import { patchGateway } from './istio/steps/patch-gateway';
import { preflight } from './istio/steps/preflight';
import { createStepContext, type MeshStepDeps } from './istio/steps/step-context';
import { verifySplit } from './istio/steps/verify-split';
import { waitLocal, waitRemote } from './istio/steps/wait-steps';

export type { MeshStepDeps, StepLogger, StepTimeouts } from './istio/steps/step-context';
export { NON_RETRYABLE_KUBE_FAILURES } from './kube/kube-failure';

/**
 * The mesh procedure's step activities, one per StepId, each idempotent. Kubernetes clients are
 * built once per kubeconfig context and shared by every call.
 */
export function createMeshStepActivities(deps: MeshStepDeps): MeshStepActivities {
  const ctx = createStepContext(deps);
  return {
    preflight: (input) => preflight(ctx, input),
    installLocal: (input) => installLocal(ctx, input),
    waitLocal: (input) => waitLocal(ctx, input),
    installRemote: (input) => installRemote(ctx, input),
    waitRemote: (input) => waitRemote(ctx, input),
    patchGateway: (input) => patchGateway(ctx, input),
    linkSecret: (input) => linkSecret(ctx, input),
    deploySamples: (input) => deploySamples(ctx, input),
    verifySplit: (input) => verifySplit(ctx, input),
    cleanupStep: (input) => cleanupStep(ctx, input),
  };
}
