import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, spawnTs, type Child } from '../harness/child-process';
import { freePorts } from '../harness/kube/ports';
import { testKubeconfigPath } from '../harness/kube/test-clusters';
import { testTemporalAddress } from '../harness/temporal-server';
import { Client, Connection } from '@temporalio/client';
import { parse, stringify } from 'yaml';
import { MeshClient } from '../../client/mesh-client';
import { meshSpecFor } from '../../common/mesh-spec';
import { findBinary } from '../harness/kube';

/** The test kubeconfig with its contexts renamed, so this file's run id is its own. */
function renamedKubeconfig(dir: string, prefix: string): string {
  const config = parse(readFileSync(testKubeconfigPath(), 'utf8')) as { contexts: { name: string }[]; 'current-context'?: string };
  for (const c of config.contexts) c.name = `${prefix}${c.name}`;
  config['current-context'] = `${prefix}local`;
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, stringify(config));
  return file;
}

const main = join(__dirname, '../../worker/main.ts');

describe('worker/main.ts, the process `npm start` runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshops-main-'));
  let running: Child | undefined;
  afterAll(async () => {
    running?.process.kill('SIGKILL');
    await running?.exited;
  });

  it('polls the task queue with the real activities, reports healthy, and exits 0 on SIGTERM', async () => {
    const [metricsPort] = await freePorts(1);
    const log = join(dir, 'worker.log');
    running = spawnTs(
      main,
      { TEMPORAL_ADDRESS: testTemporalAddress(), MESHOPS_TASK_QUEUE: `main-${Date.now()}`, KUBECONFIG: testKubeconfigPath(), MESHOPS_METRICS_PORT: String(metricsPort) },
      log,
    );
    const healthy = () => fetch(`http://127.0.0.1:${metricsPort}/healthz`).then((r) => r.status === 200, () => false);
    await eventually(healthy, 'the worker to report healthy', 90_000);
    running.process.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('"notifier":"log"');
    // not a terminal: JSON lines, with the one line that tells a person what to do next
    expect(readFileSync(log, 'utf8')).toMatch(/\{"level":30,.*"msg":"Ready: waiting for mesh runs on task queue \\"main-\d+\\" at 127\.0\.0\.1:\d+\. Start one from another terminal with `npm run mesh -- setup <local-context> <remote-context>`/);
    running = undefined;
  });

  it('exits on SIGTERM after its steps have talked to the clusters', async () => {
    const log = join(dir, 'after-steps.log');
    const taskQueue = `main-steps-${Date.now()}`;
    running = spawnTs(
      main,
      { TEMPORAL_ADDRESS: testTemporalAddress(), MESHOPS_TASK_QUEUE: taskQueue, KUBECONFIG: renamedKubeconfig(dir, 'exit-'), MESHOPS_ISTIOCTL: findBinary('istioctl'), MESHOPS_ALLOW_DEV_ISTIOCTL: 'true' },
      log,
    );
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const mesh = new MeshClient({ client: new Client({ connection }), taskQueue });
      // preflight reads both clusters; the run then waits at the gate before install-local
      const { workflowId } = await mesh.startSetup(meshSpecFor('exit-local', 'exit-remote', { approval: { gates: ['install-local'] } }), { id: 'UEXIT', via: 'cli' });
      await eventually(async () => (await mesh.status(workflowId)).steps.some((s) => s.id === 'preflight' && s.state.state !== 'pending' && s.state.state !== 'running'), 'preflight to finish', 90_000);
      await mesh.cancel(workflowId, { by: { id: 'U-CLEANUP' } });
    } finally {
      await connection.close();
    }
    running.process.kill('SIGTERM');
    const code = await Promise.race([running.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('"msg":"worker stopped"');
    running = undefined;
  });

  it('refuses a KUBECONFIG list with the command that merges it', async () => {
    const log = join(dir, 'list.log');
    running = spawnTs(main, { TEMPORAL_ADDRESS: testTemporalAddress(), KUBECONFIG: '/a/config:/b/config' }, log);
    expect(await running.exited).toBe(1);
    expect(readFileSync(log, 'utf8')).toContain('KUBECONFIG lists 2 files; meshops reads one. Merge them');
    running = undefined;
  });
});
