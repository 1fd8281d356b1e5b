import { parseOrThrow } from '../common/errors';
import { MeshSpec } from '../common/mesh-spec';
import { MeshFacts } from '../common/status';
import type { MeshStepActivities, StepInput, StepOutcome } from '../common/step-contract';
import { cleanupStep } from './istio/steps/cleanup';
import { deploySamples } from './istio/steps/deploy-samples';
import { installLocal, installRemote } from './istio/steps/install-steps';
import { linkSecret } from './istio/steps/link-secret';
import { patchGateway } from './istio/steps/patch-gateway';
import { preflight } from './istio/steps/preflight';
import { createStepContext, type MeshStepDeps, type StepContext } from './istio/steps/step-context';
import { verifySplit } from './istio/steps/verify-split';
import { waitLocal, waitRemote } from './istio/steps/wait-steps';

export type { MeshStepDeps, StepLogger, StepTimeouts } from './istio/steps/step-context';

/**
 * The mesh procedure's step activities, one per StepId, each idempotent. Kubernetes clients are
 * built once per kubeconfig context and shared by every call.
 */
export function createMeshStepActivities(deps: MeshStepDeps): MeshStepActivities {
  const ctx = createStepContext(deps);
  /** One line per finished or failed step: its summary (never a secret) and how long it took. */
  const logged =
    <I extends StepInput>(step: string, run: (c: StepContext, input: I) => Promise<StepOutcome>) =>
    async (input: I): Promise<StepOutcome> => {
      const started = Date.now();
      // Inputs cross a process boundary (Temporal): validate them here too, naming any bad field.
      const checked = { ...input, spec: parseOrThrow(MeshSpec, input.spec, `${step} input spec`), facts: parseOrThrow(MeshFacts, input.facts ?? {}, `${step} input facts`) };
      const where = { step, local: checked.spec.local.context, remote: checked.spec.remote.context };
      try {
        const outcome = await run(ctx, checked);
        ctx.log.info({ ...where, durationMs: Date.now() - started, summary: outcome.summary }, 'step done');
        return outcome;
      } catch (err) {
        ctx.log.warn({ ...where, durationMs: Date.now() - started, error: (err as Error).message }, 'step failed');
        throw err;
      }
    };
  return {
    preflight: logged('preflight', preflight),
    installLocal: logged('install-local', installLocal),
    waitLocal: logged('wait-local', waitLocal),
    installRemote: logged('install-remote', installRemote),
    waitRemote: logged('wait-remote', waitRemote),
    patchGateway: logged('patch-gateway', patchGateway),
    linkSecret: logged('link-secret', linkSecret),
    deploySamples: logged('deploy-samples', deploySamples),
    verifySplit: logged('verify-split', verifySplit),
    cleanupStep: (input) => logged(`cleanup of ${input.step}`, cleanupStep)(input),
  };
}
