import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { countLines, eventually, spawnTs, type Child } from '../harness/child-process';
import { freePorts } from '../harness/kube/ports';
import { connectWhenUp } from '../harness/temporal-server';

const workerEntry = join(__dirname, '../harness/worker-process.ts');
const workflows = join(__dirname, '../harness/workflows/countdown.ts');


describe('worker without TEMPORAL_ADDRESS: embedded dev server on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshops-embedded-'));
  const journal = join(dir, 'journal');
  let running: Child | undefined;

  afterAll(async () => {
    running?.process.kill('SIGKILL');
    await running?.exited;
  });

  it('reports health, and keeps a running workflow across a restart of worker and server', async () => {
    const [port, uiPort, metricsPort] = await freePorts(3);
    const address = `127.0.0.1:${port}`;
    const start = (slowMs: number) =>
      spawnTs(
        workerEntry,
        {
          TEST_DEV_SERVER_DB: join(dir, 'temporal.db'),
          TEST_DEV_SERVER_PORT: String(port),
          TEST_DEV_SERVER_UI_PORT: String(uiPort),
          TEST_METRICS_PORT: String(metricsPort),
          MESHOPS_TASK_QUEUE: 'embedded',
          TEST_WORKFLOWS: workflows,
          TEST_JOURNAL: journal,
          TEST_SLOW_TICK: '2',
          TEST_SLOW_MS: String(slowMs),
        },
        join(dir, 'workers.log'),
      );

    running = start(10 * 60_000);
    let connection = await connectWhenUp(address);
    const handle = await new Client({ connection }).workflow.start('countdown', { taskQueue: 'embedded', workflowId: 'persisted-countdown', args: [3] });
    await eventually(() => countLines(journal, 'start 2') > 0, 'tick 2 to start');

    const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toContain('meshops_worker_running 1');

    await connection.close();
    running.process.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    // The server went down with the worker; the run lives on in the SQLite file.
    await expect(Connection.connect({ address, connectTimeout: '1s' })).rejects.toThrow();

    running = start(50);
    connection = await connectWhenUp(address);
    const again = new Client({ connection }).workflow.getHandle(handle.workflowId);
    await expect(again.result()).resolves.toEqual([1, 2, 3]);
    await connection.close();
    // A graceful stop also stops the embedded server; SIGKILL would leave it running.
    running.process.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    running = undefined;
  });
});
