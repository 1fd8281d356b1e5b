import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FakeStepActivities } from '../harness/fake-step-activities';
import { RecordingNotifier } from '../harness/recording-notifier';
import { startMeshTestWorker, type MeshTestWorker } from '../harness/mesh-test-worker';
import { testTemporalAddress } from '../harness/temporal-server';

const cli = join(__dirname, '../../cli/main.ts');
const run = promisify(execFile);

describe('meshops CLI as a process, against the real Temporal server', () => {
  const taskQueue = `cli-${Date.now()}`;
  let worker: MeshTestWorker;

  const meshops = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], {
        env: { ...process.env, TEMPORAL_ADDRESS: testTemporalAddress(), MESHOPS_TASK_QUEUE: taskQueue, MESHOPS_USER: 'ann' },
      });
      return { code: 0, out: stdout, err: stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout, err: e.stderr };
    }
  };

  beforeAll(async () => {
    worker = await startMeshTestWorker(taskQueue, { ...new FakeStepActivities().activities(), ...new RecordingNotifier().activities() });
  });
  afterAll(() => worker?.stop());

  it('sets up a mesh: start, four-eyes refusal, approvals by someone else, status, runs', async () => {
    const started = await meshops('setup', 'cli-east', 'cli-west', 'gates=install-remote');
    expect(started).toMatchObject({ code: 0 });
    expect(started.out).toContain('Started mesh/cli-east--cli-west');

    const again = await meshops('setup', 'cli-east', 'cli-west');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already running as workflow mesh\/cli-east--cli-west/);

    const own = await meshops('approve', 'mesh/cli-east--cli-west', 'install-remote');
    expect(own.code).toBe(2);
    expect(own.err).toMatch(/four-eyes|requester/i);

    const bob = await meshops('approve', 'mesh/cli-east--cli-west', 'install-remote', '--as', 'bob');
    expect(bob.code).toBe(0);
    expect(bob.out).toContain('install-remote: approved by bob');

    const watched = await meshops('watch', 'mesh/cli-east--cli-west');
    expect(watched.code).toBe(0);
    expect(watched.out).toContain('mesh/cli-east--cli-west  DONE');
    expect(watched.out).toMatch(/\[x\] verify-split/);
    expect(watched.out).toContain('install-remote: approved by bob');

    const runs = await meshops('runs');
    expect(runs.out).toMatch(/done\s+mesh\/cli-east--cli-west {2}by ann/);
  });

  it('prints help without needing a server', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, 'help'], {
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    });
    expect(stdout).toContain('approve <run> <step>');
    expect(stdout).toContain('Keys for setup, teardown and verify: rollback, requests');
  });

  it('refuses bad input with the right form and starts nothing', async () => {
    const bad = await meshops('setup', 'east', 'east');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/two different kubeconfig contexts/);
    expect(bad.err).toContain('Usage: meshops setup <local-context> <remote-context>');
    const status = await meshops('status', 'mesh/east--east');
    expect(status.err).toMatch(/No mesh run has the workflow id mesh\/east--east/);
  });
});
