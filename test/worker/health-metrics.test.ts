import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { countLines, eventually, spawnTs, type Child } from '../harness/child-process';
import { freePorts } from '../harness/kube/ports';
import { testTemporalAddress } from '../harness/temporal-server';
import { devServersOn } from './dev-server-processes';

const workerEntry = join(__dirname, '../harness/worker-process.ts');
const workflows = join(__dirname, '../harness/workflows/countdown.ts');

async function healthz(port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: await res.text() };
}

/** The first /healthz answer that is not 200, polled while the worker's server still answers. */
async function firstUnhealthy(port: number): Promise<{ status: number; body: string }> {
  let last = { status: 0, body: '' };
  await eventually(async () => (last = await healthz(port)).status !== 200, '/healthz to stop answering 200');
  return last;
}

describe('worker /healthz and /metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshops-health-'));
  let running: Child | undefined;
  afterEach(async () => {
    running?.process.kill('SIGKILL');
    await running?.exited;
    running = undefined;
  });

  it('serves the SDK metrics beside the process ones, and answers 503 with the state while draining', async () => {
    const [metricsPort] = await freePorts(1);
    const journal = join(dir, 'journal-drain');
    const taskQueue = `health-${Date.now()}`;
    running = spawnTs(
      workerEntry,
      { TEMPORAL_ADDRESS: testTemporalAddress(), MESHOPS_TASK_QUEUE: taskQueue, TEST_WORKFLOWS: workflows, TEST_JOURNAL: journal, TEST_SLOW_TICK: '1', TEST_SLOW_MS: String(10 * 60_000), TEST_METRICS_PORT: String(metricsPort) },
      join(dir, 'drain.log'),
    );
    await eventually(async () => (await healthz(metricsPort).catch(() => ({ status: 0, body: '' }))).body === 'RUNNING', '/healthz RUNNING');
    expect(await healthz(metricsPort)).toEqual({ status: 200, body: 'RUNNING' });

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^meshops_worker_running 1$/m);
    expect(metrics).toMatch(/^meshops_worker_process_cpu_seconds_total /m);
    expect(metrics).toMatch(new RegExp(`^temporal_worker_task_slots_available\\{[^}]*task_queue="${taskQueue}"[^}]*\\} \\d+`, 'm'));

    const connection = await Connection.connect({ address: testTemporalAddress() });
    await new Client({ connection }).workflow.start('countdown', { taskQueue, workflowId: `health-${taskQueue}`, args: [1] });
    await connection.close();
    await eventually(() => countLines(journal, 'start 1') === 1, 'the slow tick to start');

    running.process.kill('SIGTERM'); // the activity holds the worker in shutdown for its grace time
    const draining = await firstUnhealthy(metricsPort);
    expect(draining.status).toBe(503);
    expect(['STOPPING', 'DRAINING']).toContain(draining.body);
    expect(await running.exited).toBe(0);
  });

  it('answers 503 when the Temporal server is lost, naming it', async () => {
    const [metricsPort, port, uiPort] = await freePorts(3);
    running = spawnTs(
      workerEntry,
      {
        TEST_DEV_SERVER_DB: join(dir, 'lost.db'),
        TEST_DEV_SERVER_PORT: String(port),
        TEST_DEV_SERVER_UI_PORT: String(uiPort),
        MESHOPS_TASK_QUEUE: 'health-lost',
        TEST_WORKFLOWS: workflows,
        TEST_JOURNAL: join(dir, 'journal-lost'),
        TEST_SLOW_TICK: '1',
        TEST_SLOW_MS: '50',
        TEST_METRICS_PORT: String(metricsPort),
      },
      join(dir, 'lost.log'),
    );
    await eventually(async () => (await healthz(metricsPort).catch(() => ({ status: 0, body: '' }))).body === 'RUNNING', '/healthz RUNNING');
    const servers = devServersOn(port);
    expect(servers).toHaveLength(1);
    process.kill(servers[0], 'SIGKILL');

    const lost = await firstUnhealthy(metricsPort);
    expect(lost.status).toBe(503);
    expect(lost.body).toMatch(/Temporal unreachable|FAILED/);
    expect(existsSync(join(dir, 'lost.log')) && readFileSync(join(dir, 'lost.log'), 'utf8')).toContain('worker polling');
  });
});
