import { parseCliArgs } from '../../cli/args';
import { runCommand } from '../../cli/run-command';
import { workflowIdFor } from '../../common/naming';
import { FakeRuns } from '../harness/fake-runs';
import { useMeshTestEnv } from '../harness/mesh-test-env';
import { ONCALL, statusWhen } from '../harness/mesh-test-kit';

describe('meshops setup --wait', () => {
  const fakes = new FakeRuns();
  const env = useMeshTestEnv('cli-wait', () => fakes.activities());

  it('follows the run it started, not the next run of the pair that took the same id meanwhile', async () => {
    const workflowId = workflowIdFor('setup', 'wait-a', 'wait-b');
    fakes.add(workflowId, { 'install-local': { hold: true } });
    const printed: string[] = [];
    let sleeps = 0;
    const io = {
      print: (text: string) => void printed.push(text),
      // Between two polls of --wait: its run is cancelled and ends, and a teammate starts the pair again.
      sleep: async () => {
        if (++sleeps > 1) {
          if (sleeps > 20) throw new Error('--wait kept following after its run had ended');
          return;
        }
        await env.mesh.cancel(workflowId, { by: ONCALL });
        await env.client.workflow.getHandle(workflowId).result().catch(() => undefined);
        await env.mesh.startSetup({ local: { context: 'wait-a', network: 'network1' }, remote: { context: 'wait-b', network: 'network2' } }, { id: 'U-TEAMMATE', via: 'cli' });
        await statusWhen(env.mesh, workflowId, (s) => s.requester.id === 'U-TEAMMATE', 'the next run of the pair');
      },
    };
    const args = parseCliArgs(['setup', 'wait-a', 'wait-b', 'gates=none', '--wait']);
    const code = await runCommand(env.mesh, args, { id: 'ann', groups: [], via: 'cli' }, io);

    expect(code).toBe(1);
    expect(printed.at(-1)).toContain(`${workflowId}  CANCELLED`);
    await env.mesh.cancel(workflowId, { by: ONCALL });
  });
});
