import { Client, Connection } from '@temporalio/client';
import { createRunInputActivities } from '../../activities/temporal/run-input';
import { MeshClient } from '../../client/mesh-client';
import { FakeRuns } from '../harness/fake-runs';
import { startMeshTestWorker, type MeshTestWorker } from '../harness/mesh-test-worker';
import { ONCALL, REQUESTER, specFor } from '../harness/mesh-test-kit';
import { testTemporalAddress } from '../harness/temporal-server';

interface HeldCheck {
  client: Client;
  mesh: MeshClient;
  worker: MeshTestWorker;
  /** Resolves once the run's input check has started (and is held). */
  checkStarted: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

/** A worker whose input check (the local activity) waits for `release()`: the window in which a run has no spec yet. */
async function workerWithHeldCheck(name: string, fakes: FakeRuns): Promise<HeldCheck> {
  const connection = await Connection.connect({ address: testTemporalAddress() });
  const taskQueue = `${name}-${Date.now()}`;
  const client = new Client({ connection });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let checking!: () => void;
  const checkStarted = new Promise<void>((r) => (checking = r));
  const real = createRunInputActivities();
  const worker = await startMeshTestWorker(taskQueue, {
    ...fakes.activities(),
    parseRunInput: async (input: unknown, workflow: string) => {
      checking();
      await released;
      return real.parseRunInput(input, workflow);
    },
  });
  return {
    client,
    mesh: new MeshClient({ client, taskQueue }),
    worker,
    checkStarted,
    release,
    async close() {
      release();
      await worker.stop();
      await connection.close();
    },
  };
}

describe('a run that has not read its input yet', () => {
  const fakes = new FakeRuns();

  it('answers status as starting and takes a cancel, while its input check is still running', async () => {
    const held = await workerWithHeldCheck('run-start', fakes);
    try {
      const { workflowId } = await held.mesh.startSetup(specFor('starting', { rollback: true }), REQUESTER);
      const run = fakes.add(workflowId);
      await held.checkStarted;

      const starting = await held.mesh.status(workflowId);
      expect(starting).toMatchObject({ workflowId, kind: 'setup', phase: 'running', steps: [], requester: { id: REQUESTER.id } });
      const cancelled = held.mesh.cancel(workflowId, { by: ONCALL });
      held.release();
      const record = await cancelled;
      expect(record).toMatchObject({ by: { id: ONCALL.id }, rollback: true });
      await expect(held.client.workflow.getHandle(workflowId).result()).rejects.toThrow();
      const final = await held.mesh.status(workflowId);
      expect(final).toMatchObject({ phase: 'cancelled', cancellation: record });
      expect(run.notifier.events.at(-1)).toMatchObject({ type: 'finished', status: { phase: 'cancelled' } });
    } finally {
      await held.close();
    }
  });

  it('replays a run whose input check outlived a query: status of the finished run still answers', async () => {
    const held = await workerWithHeldCheck('run-start-replay', fakes);
    try {
      const { workflowId } = await held.mesh.startSetup(specFor('outlived', { approval: { gates: [] } }), REQUESTER);
      fakes.add(workflowId);
      await held.checkStarted;
      // A query while the check runs makes the worker finish the first workflow task without it.
      await expect(held.mesh.status(workflowId)).resolves.toMatchObject({ steps: [] });
      held.release();
      await expect(held.client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({ phase: 'done' });
      // A closed run is not cached: this query replays its whole history.
      await expect(held.mesh.status(workflowId)).resolves.toMatchObject({ phase: 'done' });
    } finally {
      await held.close();
    }
  });
});
