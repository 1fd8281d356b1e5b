import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { MeshClient } from '../../client/mesh-client';
import { SETUP_STEPS } from '../../common/steps';
import type { MeshStatus } from '../../common/status';
import type { FakeBehaviours } from '../harness/fake-step-activities';
import { countLines, eventually, type Child } from '../harness/child-process';
import { spawnTestWorker } from '../harness/worker-process-spawn';
import { REQUESTER, specFor, stepState } from '../harness/mesh-test-kit';
import { testTemporalAddress } from '../harness/temporal-server';

const workflows = join(__dirname, '../../workflows/index.ts');

describe('meshSetup when its worker is killed or stopped mid-step', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshops-kill-'));
  let journal = join(dir, 'journal');
  const logFile = join(dir, 'workers.log');
  const taskQueue = `mesh-kill-${Date.now()}`;
  let connection: Connection;
  let running: Child | undefined;

  const startWorker = (behaviours: FakeBehaviours): Child =>
    spawnTestWorker({ taskQueue, workflows, journal, logFile, env: { TEST_ACTIVITIES: 'mesh', TEST_FAKE_BEHAVIOURS: JSON.stringify(behaviours) } });
  const count = (line: string) => countLines(journal, line);

  beforeAll(async () => {
    connection = await Connection.connect({ address: testTemporalAddress() });
  });
  afterAll(async () => {
    running?.process.kill('SIGKILL');
    await connection?.close();
  });

  it('finishes on a new worker after SIGKILL, re-running only the interrupted step', async () => {
    const client = new Client({ connection });
    const mesh = new MeshClient({ client, taskQueue });
    journal = join(dir, 'journal-sigkill');
    running = startWorker({ 'wait-remote': { holdMs: 10 * 60_000 } });
    const { workflowId } = await mesh.startSetup(specFor('killed', { approval: { gates: [] } }), REQUESTER);

    await eventually(() => count('start wait-remote') === 1, 'wait-remote to start on the first worker', 120_000);
    running.process.kill('SIGKILL');
    await running.exited;

    running = startWorker({ 'wait-remote': { holdMs: 100 } });
    const final = (await client.workflow.getHandle(workflowId).result()) as MeshStatus;
    running.process.kill('SIGTERM');
    await running.exited;
    running = undefined;

    expect(final.phase).toBe('done');
    expect(final.steps.every((s) => s.state.state === 'done')).toBe(true);
    for (const step of SETUP_STEPS.filter((s) => s !== 'wait-remote')) expect(`${step}: ${count(`start ${step}`)}`).toBe(`${step}: 1`);
    expect(count('start wait-remote')).toBe(2); // the killed attempt, then one on the new worker
    expect(count('end wait-remote')).toBe(1);
    expect(stepState(final, 'wait-remote')).toMatchObject({ state: 'done' });
  });

  it('finishes after a graceful SIGTERM (a worker deploy) during a step', async () => {
    const client = new Client({ connection });
    const mesh = new MeshClient({ client, taskQueue });
    journal = join(dir, 'journal-sigterm');
    running = startWorker({ 'wait-local': { holdMs: 10 * 60_000 } });
    const { workflowId } = await mesh.startSetup(specFor('drained', { approval: { gates: [] } }), REQUESTER);

    await eventually(() => count('start wait-local') === 1, 'wait-local to start on the first worker', 120_000);
    running.process.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    running = startWorker({});
    const final = (await client.workflow.getHandle(workflowId).result()) as MeshStatus;
    running.process.kill('SIGTERM');
    await running.exited;
    running = undefined;

    expect(final.phase).toBe('done');
    for (const step of SETUP_STEPS.filter((s) => s !== 'wait-local')) expect(`${step}: ${count(`start ${step}`)}`).toBe(`${step}: 1`);
    expect(count('start wait-local')).toBe(2); // the interrupted attempt, then one on the new worker
  });
});
