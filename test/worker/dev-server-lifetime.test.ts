import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { countLines, eventually, spawnTs, type Child } from '../harness/child-process';
import { freePorts } from '../harness/kube/ports';
import { connectWhenUp, testTemporalAddress } from '../harness/temporal-server';
import { findTemporalCli } from '../../worker/temporal-cli';
import { processRecord } from '../../worker/guarded-process';
import { descendsFrom, devServersOn } from './dev-server-processes';
import { meshopsCacheDir } from '../harness/kube/binaries';

const workerEntry = join(__dirname, '../harness/worker-process.ts');
const workflows = join(__dirname, '../harness/workflows/countdown.ts');
const cacheDir = meshopsCacheDir();


describe('the embedded dev server lives and dies with its worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshops-devserver-'));
  const logFile = join(dir, 'workers.log');
  const db = join(dir, 'temporal.db');
  let running: Child | undefined;
  let port = 0;
  let uiPort = 0;

  const startWorker = (journal: string, slowMs: number, extra: Record<string, string> = {}): Child =>
    spawnTs(
      workerEntry,
      {
        TEST_DEV_SERVER_DB: db,
        TEST_DEV_SERVER_PORT: String(port),
        TEST_DEV_SERVER_UI_PORT: String(uiPort),
        MESHOPS_TASK_QUEUE: 'lifetime',
        TEST_WORKFLOWS: workflows,
        TEST_JOURNAL: journal,
        TEST_SLOW_TICK: '2',
        TEST_SLOW_MS: String(slowMs),
        ...extra,
      },
      logFile,
    );

  /** The run finishes on `worker`, served by exactly one dev server, which is the worker's own child. */
  async function finishesOnItsOwnServer(worker: Child, workflowId: string, steps: number): Promise<void> {
    const connection = await connectWhenUp(`127.0.0.1:${port}`);
    await expect(new Client({ connection }).workflow.getHandle(workflowId).result()).resolves.toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    await connection.close();
    const servers = devServersOn(port);
    expect(servers).toHaveLength(1);
    expect(descendsFrom(servers[0], worker.process.pid!)).toBe(true);
  }

  async function stopGracefully(worker: Child): Promise<void> {
    worker.process.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    running = undefined;
    expect(devServersOn(port)).toEqual([]);
  }

  beforeEach(async () => {
    [port, uiPort] = await freePorts(2);
  });
  afterEach(async () => {
    running?.process.kill('SIGKILL');
    await running?.exited;
    running = undefined;
    for (const pid of devServersOn(port)) process.kill(pid, 'SIGKILL');
  });

  it('after kill -9 of the worker, the next worker runs on one dev server of its own, and a graceful stop leaves none', async () => {
    const journal = join(dir, 'journal-kill9');
    running = startWorker(journal, 10 * 60_000);
    const connection = await connectWhenUp(`127.0.0.1:${port}`);
    await new Client({ connection }).workflow.start('countdown', { taskQueue: 'lifetime', workflowId: 'lifetime-kill9', args: [3] });
    await connection.close();
    await eventually(() => countLines(journal, 'start 2') > 0, 'tick 2 to start');
    const first = devServersOn(port);
    expect(first).toHaveLength(1);

    running.process.kill('SIGKILL');
    await running.exited;
    running = startWorker(journal, 50);
    await finishesOnItsOwnServer(running, 'lifetime-kill9', 3);
    expect(devServersOn(port)).not.toEqual(first);
    await stopGracefully(running);
  });

  it('reclaims, and says so, a dev server orphaned on its SQLite file by a worker that had no watchdog', async () => {
    const cli = findTemporalCli(cacheDir);
    expect(cli).toBeDefined();
    // What a worker killed before this fix left behind: start-dev on the worker's file and ports, parent gone.
    const orphanArgs = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--db-filename', db, '--log-level', 'warn'];
    spawn('bash', ['-c', '"$@" </dev/null >/dev/null 2>&1 &', 'orphan', cli!.path, ...orphanArgs], { stdio: 'ignore' });
    await (await connectWhenUp(`127.0.0.1:${port}`)).close();
    const orphan = devServersOn(port);
    expect(orphan).toHaveLength(1);

    const journal = join(dir, 'journal-orphan');
    running = startWorker(journal, 50);
    const connection = await connectWhenUp(`127.0.0.1:${port}`);
    await new Client({ connection }).workflow.start('countdown', { taskQueue: 'lifetime', workflowId: 'lifetime-orphan', args: [2] });
    await connection.close();
    await finishesOnItsOwnServer(running, 'lifetime-orphan', 2);
    expect(processRecord(orphan[0])).toBeUndefined();
    expect(readFileSync(logFile, 'utf8')).toContain(`stopping a stale embedded Temporal dev server (pid ${orphan[0]}) left on ${db}`);
    await stopGracefully(running);
  });

  it('refuses a port held by a server it did not start, naming the port, the process and the fix', async () => {
    // The test run's own dev server: not this worker's to use or stop.
    const sharedPort = Number(testTemporalAddress().split(':').pop());
    const ownLog = join(dir, 'refused.log');
    const worker = spawnTs(
      workerEntry,
      {
        TEST_DEV_SERVER_DB: join(dir, 'refused.db'),
        TEST_DEV_SERVER_PORT: String(sharedPort),
        TEST_DEV_SERVER_UI_PORT: String(uiPort),
        MESHOPS_TASK_QUEUE: 'lifetime-refused',
        TEST_WORKFLOWS: workflows,
        TEST_JOURNAL: join(dir, 'journal-refused'),
        TEST_SLOW_TICK: '2',
        TEST_SLOW_MS: '50',
      },
      ownLog,
    );
    running = worker;
    const holder = devServersOn(sharedPort);
    const outcome = await Promise.race([
      worker.exited.then((code) => `exit ${code}`),
      eventually(() => existsSync(ownLog) && readFileSync(ownLog, 'utf8').includes('worker polling'), 'the worker to exit or poll').then(() => 'polling'),
    ]);
    expect(outcome).toBe('exit 1');
    running = undefined;
    const log = readFileSync(ownLog, 'utf8');
    expect(holder).toHaveLength(1);
    expect(log).toContain(`Port ${sharedPort} (MESHOPS_DEV_SERVER_PORT) is in use by pid ${holder[0]}`);
    expect(log).toContain(`TEMPORAL_ADDRESS=127.0.0.1:${sharedPort}`);
    expect(devServersOn(sharedPort)).toEqual(holder); // left alone
  });
});
