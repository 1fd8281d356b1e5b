/**
 * Workflow overhead per step: a meshSetup run's wall time (client start → result) minus the time
 * its step activities ran, divided by its steps, on the real dev server with a real worker and
 * instant step activities (no gates). Baseline in the same run: a bare workflow that calls as many
 * no-op activities in a row (bench/workflows/sequential.ts), which is Temporal's own floor. Runs
 * alternate between the two. Writes bench/results/workflow-overhead.json.
 *
 *   npm run bench:overhead                  # 30 runs of each
 *   BENCH_RUNS=100 npm run bench:overhead
 */
import { createWorkflowSupportActivities } from '../activities/temporal';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MeshSpec, meshSpecFor } from '../common/mesh-spec';
import { SETUP_STEPS } from '../common/steps';
import type { MeshStepActivities } from '../common/step-contract';
import { FakeStepActivities } from '../test/harness/fake-step-activities';
import { benchTemporal } from './bench-temporal';
import { latencyStats } from './latency-stats';
import { writeResult } from './write-result';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const STEPS = SETUP_STEPS.length;

/** Wraps every step activity so the bench knows how long each ran. */
function timed(activities: MeshStepActivities, spent: { ms: number; count: number }): MeshStepActivities {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (input: never) => {
        const t0 = performance.now();
        try {
          return await (fn as (i: never) => Promise<unknown>)(input);
        } finally {
          spent.ms += performance.now() - t0;
          spent.count += 1;
        }
      },
    ]),
  ) as unknown as MeshStepActivities;
}

async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const temporal = await benchTemporal();
  const { address } = temporal;
  const spent = { ms: 0, count: 0 };
  let notifications = 0;
  const taskQueue = `bench-overhead-${Date.now()}`;
  const workerConnection = await NativeConnection.connect({ address });
  // Both workflows in one bundle, one worker: the same process, cache and pollers for both.
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowsPath: require.resolve('./workflows/overhead-bundle'),
    activities: { ...createWorkflowSupportActivities(), ...timed(new FakeStepActivities().activities(), spent), notify: async () => (notifications++, {}), noop: async () => undefined },
    shutdownGraceTime: '10s',
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  try {
    const spec = MeshSpec.parse(meshSpecFor('bench-local', 'bench-remote', { approval: { gates: [] } }));
    const mesh: number[] = [];
    let activitiesPerRun = { steps: 0, notify: 0 };
    const bare: number[] = [];
    for (let i = -3; i < RUNS; i++) {
      // meshSetup: wall time minus what its step activities took, per step
      spent.ms = 0;
      spent.count = 0;
      notifications = 0;
      let t0 = performance.now();
      await client.workflow.execute('meshSetup', { taskQueue, workflowId: `bench-mesh-${Date.now()}-${i}`, args: [{ spec, requester: { id: 'UBENCH', via: 'cli' } }] });
      const meshWall = performance.now() - t0;
      // the floor: as many no-op activities in a row
      t0 = performance.now();
      await client.workflow.execute('sequentialActivities', { taskQueue, workflowId: `bench-bare-${Date.now()}-${i}`, args: [STEPS] });
      const bareWall = performance.now() - t0;
      if (i < 0) continue; // warm-up: bundle, caches, JIT
      mesh.push((meshWall - spent.ms) / STEPS);
      activitiesPerRun = { steps: spent.count, notify: notifications };
      bare.push(bareWall / STEPS);
    }
    const m = latencyStats(mesh);
    const b = latencyStats(bare);
    writeResult('workflow-overhead', {
      benchmark: 'workflow overhead per step: meshSetup wall time minus its step activities\' time, per step, vs a bare workflow of as many no-op activities',
      unit: 'ms per step',
      runs: RUNS,
      steps: STEPS,
      activitiesPerMeshSetupRun: activitiesPerRun,
      note: 'meshSetup\'s notify activities (Slack progress, no-ops here) are scheduled by the workflow and counted as its overhead; the baseline runs only as many no-op activities as meshSetup has steps',
      meshSetup: m,
      bareWorkflow: b,
      ratio: { p50: Math.round((m.p50 / b.p50) * 100) / 100, p99: Math.round((m.p99 / b.p99) * 100) / 100 },
      target: 'meshSetup p99 <= 25 ms per step',
    });
  } finally {
    worker.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
    await temporal.stop();
  }
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
