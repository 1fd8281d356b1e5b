import { Client, Connection } from '@temporalio/client';
import { createRunInputActivities } from '../../activities/temporal/run-input';
import { MeshClient } from '../../client/mesh-client';
import { FakeRuns } from '../harness/fake-runs';
import { startMeshTestWorker } from '../harness/mesh-test-worker';
import { ONCALL, REQUESTER, specFor } from '../harness/mesh-test-kit';
import { testTemporalAddress } from '../harness/temporal-server';

describe('a run that has not read its input yet', () => {
  const fakes = new FakeRuns();

  it('answers status as starting and takes a cancel, while its input check is still running', async () => {
    const connection = await Connection.connect({ address: testTemporalAddress() });
    const taskQueue = `run-start-${Date.now()}`;
    const client = new Client({ connection });
    const mesh = new MeshClient({ client, taskQueue });
    // The input check held until the test has asked: the window in which the run has no spec yet.
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
    try {
      const { workflowId } = await mesh.startSetup(specFor('starting', { rollback: true }), REQUESTER);
      const run = fakes.add(workflowId);
      await checkStarted;

      const starting = await mesh.status(workflowId);
      expect(starting).toMatchObject({ workflowId, kind: 'setup', phase: 'running', steps: [], requester: { id: REQUESTER.id } });
      const cancelled = mesh.cancel(workflowId, { by: ONCALL });
      release();
      const record = await cancelled;
      expect(record).toMatchObject({ by: { id: ONCALL.id }, rollback: true });
      await expect(client.workflow.getHandle(workflowId).result()).rejects.toThrow();
      const final = await mesh.status(workflowId);
      expect(final).toMatchObject({ phase: 'cancelled', cancellation: record });
      expect(run.notifier.events.at(-1)).toMatchObject({ type: 'finished', status: { phase: 'cancelled' } });
    } finally {
      release();
      await worker.stop();
      await connection.close();
    }
  });

  it('replays a run whose input check outlived a query: status of the finished run still answers', async () => {
    const connection = await Connection.connect({ address: testTemporalAddress() });
    const taskQueue = `run-start-replay-${Date.now()}`;
    const client = new Client({ connection });
    const mesh = new MeshClient({ client, taskQueue });
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
    try {
      const { workflowId } = await mesh.startSetup(specFor('outlived', { approval: { gates: [] } }), REQUESTER);
      fakes.add(workflowId);
      await checkStarted;
      // A query while the check runs makes the worker finish the first workflow task without it.
      await expect(mesh.status(workflowId)).resolves.toMatchObject({ steps: [] });
      release();
      await expect(client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({ phase: 'done' });
      // A closed run is not cached: this query replays its whole history.
      await expect(mesh.status(workflowId)).resolves.toMatchObject({ phase: 'done' });
    } finally {
      release();
      await worker.stop();
      await connection.close();
    }
  });
});
