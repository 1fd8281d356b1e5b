/**
 * Each setup step's time on the test clusters (their own, started here, with a real istiod): the
 * whole procedure in today's order twice (the second run finds everything in place), then the full
 * cleanup. The numbers the README's step-time table quotes. Writes bench/results/step-times.json.
 *
 *   npm run bench:steps
 */
import { performance } from 'node:perf_hooks';
import { createMeshStepActivities } from '../activities/mesh-steps';
import { MeshSpec, meshSpecFor } from '../common/mesh-spec';
import type { MeshFacts } from '../common/status';
import type { StepOutcome } from '../common/step-contract';
import { SETUP_STEPS, type SetupStepId } from '../common/steps';
import { findBinary, startClusters } from '../test/harness/kube';
import { writeResult } from './write-result';

const activityOf = (step: SetupStepId) => step.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

async function main(): Promise<void> {
  const clusters = await startClusters();
  const steps = createMeshStepActivities({ kubeconfigPath: clusters.kubeconfigPath, istioctlPath: findBinary('istioctl'), allowDevIstioctl: true });
  // no data plane on the test clusters: the control-plane verdict only
  const spec = MeshSpec.parse(meshSpecFor('local', 'remote', { verify: { verdicts: ['control-plane'] }, purge: true }));
  const facts: MeshFacts = {};
  const times: Record<string, number[]> = {};
  try {
    for (let round = 0; round < 2; round++) {
      for (const step of SETUP_STEPS) {
        const run = steps[activityOf(step) as keyof typeof steps] as (input: object) => Promise<StepOutcome>;
        const t0 = performance.now();
        const outcome = await run({ spec, facts: { ...facts } });
        (times[step] ??= []).push(Math.round(performance.now() - t0));
        Object.assign(facts, outcome.facts);
      }
    }
    const t0 = performance.now();
    await steps.cleanupStep({ spec, facts, step: 'cleanup' });
    times.cleanup = [Math.round(performance.now() - t0)];
  } finally {
    await clusters.stop();
  }
  writeResult('step-times', {
    benchmark: 'each setup step on the test clusters with a real istiod, today\'s order: first run, second run (everything in place); cleanup of all steps',
    unit: 'ms',
    steps: times,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
