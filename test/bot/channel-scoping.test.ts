import { workflowIdFor } from '../../common/naming';
import { eventually } from '../harness/child-process';
import { CHANNEL, NARROW_CHANNEL, REQUESTER, startBotKit, type BotKit } from './bot-kit';

/**
 * `status` and `runs` show a channel only the runs of contexts it may use: NARROW_CHANNEL may use
 * narrow-a and narrow-b, CHANNEL any context. Runs whose contexts are unknown are shown nowhere.
 */
describe('status and runs are scoped to the contexts the channel may use', () => {
  let kit: BotKit;
  const taskQueue = `bot-channel-scoping-${Date.now()}`;
  const narrow = workflowIdFor('verify', 'narrow-a', 'narrow-b');
  const wide = workflowIdFor('verify', 'wide-a', 'wide-b');
  const unknown = 'mesh-verify/no-memo';
  beforeAll(async () => {
    kit = await startBotKit(taskQueue);
    // The narrow run first, the wide one after it (newest), both started from the any-context channel.
    expect((await ask('verify narrow-a narrow-b', CHANNEL))).toContain('Started mesh verify');
    expect((await ask('verify wide-a wide-b', CHANNEL))).toContain('Started mesh verify');
    // A run meshops did not start: no memo, so its contexts are unknown.
    await kit.client.workflow.start('meshVerify', { taskQueue, workflowId: unknown, args: [{}] });
    await eventually(async () => (await kit.mesh.listRuns(10)).length === 3, 'the three runs in the visibility store');
  });
  afterAll(async () => {
    for (const id of [narrow, wide, unknown]) await kit.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    await kit.stop();
  });

  /** Sends `/mesh text` from `channel`; its ephemeral answer (text and blocks) as JSON. */
  async function ask(text: string, channel: string): Promise<string> {
    const id = `cmd-${REQUESTER}`;
    const before = kit.standin.ephemerals.filter((e) => e.responseUrlId === id).length;
    expect((await kit.command(text, REQUESTER, channel)).status).toBe(200);
    await eventually(() => kit.standin.ephemerals.filter((e) => e.responseUrlId === id).length > before, `the answer to ${text}`);
    const { text: said, blocks } = kit.standin.ephemerals.filter((e) => e.responseUrlId === id)[before];
    return JSON.stringify({ said, blocks });
  }

  it('lists in a narrow channel only the runs of its contexts', async () => {
    const runs = await ask('runs', NARROW_CHANNEL);
    expect(runs).toContain(narrow);
    expect(runs).not.toContain(wide);
    expect(runs).not.toContain(unknown);
  });

  it('lists every run of known contexts in a channel that may use any context, and hides runs of unknown contexts', async () => {
    const runs = await ask('runs', CHANNEL);
    expect(runs).toContain(narrow);
    expect(runs).toContain(wide);
    expect(runs).not.toContain(unknown);
  });

  it('refuses the status of a run of other contexts, like other denials, and logs it', async () => {
    const answer = await ask(`status ${wide}`, NARROW_CHANNEL);
    expect(answer).toContain(':lock: This channel may not use the contexts `wide-a` and `wide-b`');
    expect(answer).not.toContain('Mesh verify');
    expect(kit.logs.some((l) => l.msg === 'denied /mesh command' && l.channel === NARROW_CHANNEL && l.verb === 'status')).toBe(true);
    expect(await ask(`status ${narrow}`, NARROW_CHANNEL)).toContain('Mesh verify');
  });

  it('shows, for status without a run, the newest run the channel may see', async () => {
    const status = await ask('status', NARROW_CHANNEL);
    expect(status).toContain(`Mesh verify ${narrow}`);
    expect(status).not.toContain(wide);
  });
});
