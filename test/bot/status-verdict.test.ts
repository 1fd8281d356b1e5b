import { meshSpecFor } from '../../common/mesh-spec';
import { SLACK_LIMITS } from '../../common/slack-text';
import type { EndpointRow } from '../../common/verify-result';
import { statusReply } from '../../bot/render/replies';
import { eventually } from '../harness/child-process';
import { VERIFY_PASSED } from '../harness/fake-step-activities';
import { CHANNEL, REQUESTER, startBotKit, type BotKit } from './bot-kit';

describe("/mesh status shows verify-split's verdicts and istiod's endpoint table", () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-status-verdict-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  const ask = async (text: string): Promise<{ text: string | undefined; blocks: string }> => {
    const mine = () => kit.standin.ephemerals.filter((e) => e.responseUrlId === `cmd-${REQUESTER}`);
    const before = mine().length;
    expect(await kit.command(text, REQUESTER, CHANNEL)).toEqual({ status: 200, body: '' });
    await eventually(() => mine().length > before, `the answer to ${text}`);
    const answer = mine()[before];
    return { text: answer.text, blocks: JSON.stringify(answer.blocks) };
  };

  it('after a run that verified: both verdicts and the table in a code block, a row per endpoint', async () => {
    // started without gates (the Slack policy requires some), then asked about in Slack
    const { workflowId } = await kit.mesh.startSetup({ ...meshSpecFor('verdict-local', 'verdict-remote'), approval: { gates: [] } }, { id: REQUESTER, via: 'slack', channel: CHANNEL });
    await eventually(async () => (await kit.mesh.status(workflowId)).phase === 'done', 'the run to finish');

    const { blocks } = await ask(`status ${workflowId}`);
    const section = (JSON.parse(blocks) as { text?: { text: string } }[]).map((b) => b.text?.text ?? '').find((t) => t.startsWith('*Verify-split'));
    expect(section).toBeDefined();
    expect(section).toContain(`*Verify-split passed*\nControl plane passed: ${VERIFY_PASSED.controlPlane!.reason}`);
    expect(section).toMatch(/```ENDPOINT +LOCALITY +NETWORK +WEIGHT +WHAT\n10\.244\.0\.5:5000 +region1\/zone1 +network1 +1 +local pod helloworld-v1-a\n10\.1\.0\.20:15443 +region2\/zone2 +network2 +1 +remote gateway \(1 remote pod\)```/);
    expect(section).toContain(`Data plane passed: ${VERIFY_PASSED.dataPlane!.reason}`);
  });

  it('a table too long for a section is cut by whole rows inside its code block, which stays closed, and the lines after it stay', async () => {
    const { workflowId } = await kit.mesh.startSetup({ ...meshSpecFor('long-local', 'long-remote'), approval: { gates: [] } }, { id: REQUESTER, via: 'slack', channel: CHANNEL });
    await eventually(async () => (await kit.mesh.status(workflowId)).phase === 'done', 'the run to finish');
    const status = await kit.mesh.status(workflowId);
    const endpoints: EndpointRow[] = Array.from({ length: 120 }, (_, i) => ({
      endpoint: `10.244.${Math.floor(i / 250)}.${i % 250}:5000`,
      locality: 'region1/zone1',
      network: 'network1',
      weight: 1,
      kind: 'local-pod',
      what: `local pod helloworld-v1-${i}`,
    }));
    const verify = { ...VERIFY_PASSED, controlPlane: { ...VERIFY_PASSED.controlPlane!, endpoints } };
    const blocks = statusReply({ ...status, verify }).blocks as { text?: { text: string } }[];
    const section = blocks.map((b) => b.text?.text ?? '').find((t) => t.startsWith('*Verify-split'))!;
    expect(section.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const fences = section.split('```');
    expect(fences).toHaveLength(3); // one code block, opened and closed
    const table = fences[1].split('\n');
    expect(table[0]).toMatch(/^ENDPOINT +LOCALITY/);
    expect(table.slice(1, -1).every((row) => /^10\.244\.0\.\d+:5000 +region1\/zone1 +network1 +1 +local pod helloworld-v1-\d+$/.test(row))).toBe(true);
    expect(table.at(-1)).toBe(`… (${endpoints.length + 1 - (table.length - 1)} more rows)`);
    expect(fences[2]).toBe(`\nData plane passed: ${VERIFY_PASSED.dataPlane!.reason}`);
  });
});
