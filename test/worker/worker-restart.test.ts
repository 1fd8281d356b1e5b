import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { testTemporalAddress } from '../harness/temporal-server';
import { countLines, eventually, type Child } from '../harness/child-process';
import { spawnTestWorker } from '../harness/worker-process-spawn';

const workflows = join(__dirname, '../harness/workflows/countdown.ts');

describe('worker killed with SIGTERM mid-workflow', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshops-restart-'));
  const journal = join(dir, 'journal');
  const logFile = join(dir, 'workers.log');
  const taskQueue = `restart-${Date.now()}`;
  let connection: Connection;
  let running: Child | undefined;

  const startWorker = (slowMs: number): Child =>
    spawnTestWorker({ taskQueue, workflows, journal, logFile, env: { TEST_SLOW_TICK: '2', TEST_SLOW_MS: String(slowMs) } });
  const count = (line: string) => countLines(journal, line);

  beforeAll(async () => {
    connection = await Connection.connect({ address: testTemporalAddress() });
  });
  afterAll(async () => {
    running?.process.kill('SIGKILL');
    await connection?.close();
  });

  it('finishes the run on a new worker without re-running completed activities', async () => {
    const client = new Client({ connection });
    running = startWorker(10 * 60_000);
    const handle = await client.workflow.start('countdown', { taskQueue, workflowId: `countdown-${taskQueue}`, args: [4] });

    await eventually(() => count('start 2') === 1, 'tick 2 to start on the first worker');
    running.process.kill('SIGTERM');
    const code = await running.exited;
    expect(code).toBe(0); // graceful: the worker drained and closed its connections

    running = startWorker(100);
    await expect(handle.result()).resolves.toEqual([1, 2, 3, 4]);
    running.process.kill('SIGTERM');
    await running.exited;
    running = undefined;

    expect(count('start 1')).toBe(1); // completed before the kill: never run again
    expect(count('start 2')).toBe(2); // interrupted, retried once on the new worker
    expect(count('end 2')).toBe(1);
    expect(count('start 3')).toBe(1);
    expect(count('start 4')).toBe(1);
  });
});
