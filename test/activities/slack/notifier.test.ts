import { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import { APPROVAL_ACTION } from '../../../common/approval-buttons';
import { createSlackNotifier } from '../../../activities/slack/notifier';
import type { NotifierRef } from '../../../common/step-contract';
import { SlackApiStandin } from '../../harness/slack-api-standin';
import { DRIFTED, setupStatus } from './status-fixture';

const text = (blocks: unknown[] | undefined) => JSON.stringify(blocks ?? []);

describe('Slack notifier against the Web API stand-in', () => {
  let standin: SlackApiStandin;
  let client: WebClient;
  beforeEach(async () => {
    // The bot installed with manifest.yml's scopes and invited to the run channel, as in a real workspace.
    standin = await SlackApiStandin.start({ botToken: 'xoxb-test-token-123', channels: [{ id: 'CMESH', name: 'mesh', type: 'public', members: ['UBOTMESH', 'UREQUESTER'] }] });
    client = new WebClient('xoxb-test-token-123', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
  });
  afterEach(() => standin.close());

  const notifier = (attempt = 1) => createSlackNotifier({ client, namespace: 'default', temporalUiUrl: 'http://ui.example:8233', attempt: () => attempt });

  it('posts one parent message with the checklist and the details in its thread, then updates it in place', async () => {
    const n = notifier();
    const { ref } = await n.notify({ type: 'started', status: setupStatus() });
    expect(ref).toEqual({ channel: 'CMESH', ts: expect.any(String) });
    const parent = standin.message('CMESH', ref!.ts)!;
    expect(text(parent.blocks)).toContain('Check both clusters');
    expect(text(parent.blocks)).toContain('http://ui.example:8233/namespaces/default/workflows/mesh-setup%2Flocal--remote');
    expect(standin.thread('CMESH', ref!.ts).map((m) => m.metadata?.event_payload.key)).toEqual(['details']);

    const running = setupStatus({}, { preflight: { state: 'running', attempt: 1, startedAt: '2026-11-26T12:00:01Z' } });
    const next = await n.notify({ type: 'step-changed', step: 'preflight', status: running, ref });
    expect(next.ref).toEqual(ref);
    expect(standin.parents('CMESH')).toHaveLength(1);
    expect(parent.updates).toBe(1);
    expect(text(parent.blocks)).toContain(':hourglass_flowing_sand: *Check both clusters* — running');
  });

  it('asks for approval with buttons mentioning the approvers, and replaces them with who decided and when', async () => {
    const n = notifier();
    let { ref } = await n.notify({ type: 'started', status: setupStatus() });
    const waiting = setupStatus({ phase: 'waiting-approval' }, { 'install-remote': { state: 'waiting-approval', since: '2026-11-26T12:01:00Z' } });
    ({ ref } = await n.notify({ type: 'approval-requested', step: 'install-remote', status: waiting, ref }));
    const askedTs = (ref as NotifierRef)['approval:install-remote'];
    const asked = standin.message('CMESH', askedTs)!;
    expect(asked.thread_ts).toBe(ref!.ts);
    expect(text(asked.blocks)).toContain('<@UAPPROVER> <!subteam^SONCALL>');
    expect(text(asked.blocks)).toContain(APPROVAL_ACTION.approve);
    expect(text(asked.blocks)).toContain(APPROVAL_ACTION.reject);

    const decided = setupStatus(
      { approvals: [{ step: 'install-remote', decision: 'approve', by: { id: 'UAPPROVER', groups: [] }, at: '2026-11-26T12:02:00Z' }] },
      { 'install-remote': { state: 'running', attempt: 1, startedAt: '2026-11-26T12:02:00Z' } },
    );
    await n.notify({ type: 'approval-decided', step: 'install-remote', status: decided, ref });
    expect(text(asked.blocks)).not.toContain(APPROVAL_ACTION.approve);
    expect(text(asked.blocks)).toContain('*Approved*: Install Istio on remote (`install-remote`) by <@UAPPROVER> at <!date^1795694520^{date_short_pretty} at {time_secs}|2026-11-26T12:02:00Z>');
  });

  it('puts a failure with its message and next step in the thread, and the summary at the end', async () => {
    const n = notifier();
    const { ref } = await n.notify({ type: 'started', status: setupStatus() });
    const failed = setupStatus({ phase: 'failed', endedAt: '2026-11-26T12:03:00.000Z', outcome: 'install-local failed' }, { 'install-local': { state: 'failed', error: 'istiod rejected: bad mesh config', durationMs: 2500 } });
    const after = await n.notify({ type: 'step-changed', step: 'install-local', status: failed, ref });
    await n.notify({ type: 'finished', status: failed, ref: after.ref });
    const [, failure, summary, ...more] = standin.thread('CMESH', ref!.ts);
    expect(more).toEqual([]); // the failure is posted once, though both events carry it
    expect(text(failure.blocks)).toContain('istiod rejected: bad mesh config');
    expect(text(failure.blocks)).toContain('*Next:*');
    expect(text(summary.blocks)).toContain(':x: failed*: mesh setup of local ↔ remote in 3m00s');
    expect(text(summary.blocks)).toContain('/mesh teardown local remote');
  });

  it("ends a verify run's thread with both verdicts: istiod's endpoint table in a code block, the findings with their fixes, traffic not checked", async () => {
    const n = notifier();
    const { ref } = await n.notify({ type: 'started', status: setupStatus({ kind: 'verify' }) });
    const failed = setupStatus({ kind: 'verify', phase: 'failed', endedAt: '2026-11-26T12:00:40.000Z', verify: DRIFTED });
    await n.notify({ type: 'finished', status: failed, ref });
    const summary = standin.thread('CMESH', ref!.ts).at(-1)!;
    const blocks = (summary.blocks as { text: { text: string } }[]).map((b) => b.text.text);
    expect(blocks).toContainEqual(expect.stringMatching(/^\*Control plane\* :x: istiod's endpoints are not the split: /));
    expect(blocks).toContainEqual(
      ['```ENDPOINT         LOCALITY       NETWORK   WEIGHT  WHAT', '10.244.0.5:5000  region1/zone1  network1  1       local pod helloworld-v1-a', '10.1.0.20:15443  region2/zone2  network2  1       stale gateway from meshNetworks (the load balancer is 198.51.100.200)```'].join('\n'),
    );
    expect(blocks).toContainEqual("• meshNetworks sends network2 to 10.1.0.20:15443, but the remote gateway's load balancer is 198.51.100.200. Fix: rerun patch-gateway.");
    expect(blocks).toContainEqual(expect.stringMatching(/^\*Data plane\* \(not checked\) Traffic through the mesh was not checked/));
  });

  it('posts a failure that arrives only with the finished event before the summary', async () => {
    const n = notifier();
    const { ref } = await n.notify({ type: 'started', status: setupStatus() });
    const failed = setupStatus({ phase: 'failed', endedAt: '2026-11-26T12:00:05.000Z' }, { 'wait-local': { state: 'failed', error: 'istiod-abc not Ready' } });
    await n.notify({ type: 'finished', status: failed, ref });
    expect(standin.thread('CMESH', ref!.ts).map((m) => m.metadata?.event_payload.key)).toEqual(['details', 'failed:wait-local', 'summary']);
  });

  it('never shows a secret, and cuts texts to Slack limits', async () => {
    const n = notifier();
    const error = `token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl and xoxb-123-456-abc ${'x'.repeat(5000)}`;
    const failed = setupStatus({ phase: 'failed' }, { 'link-secret': { state: 'failed', error } });
    const { ref } = await n.notify({ type: 'step-changed', step: 'link-secret', status: failed });
    const all = standin.callsTo('chat.postMessage').map((c) => JSON.stringify(c.args)).join('\n');
    expect(all).not.toMatch(/eyJhbGciOiJSUzI1NiJ9|xoxb-123/);
    for (const m of standin.thread('CMESH', ref!.ts)) {
      for (const block of m.blocks as { text?: { text: string } }[]) expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
  });

  it('a retried attempt finds the message the last attempt posted instead of posting twice', async () => {
    await notifier(1).notify({ type: 'started', status: setupStatus() });
    const { ref } = await notifier(2).notify({ type: 'started', status: setupStatus() });
    expect(standin.parents('CMESH')).toHaveLength(1);
    expect(standin.thread('CMESH', ref!.ts)).toHaveLength(1);
  });

  it('posts a new parent when someone deleted the old one', async () => {
    const n = notifier();
    const { ref } = await n.notify({ type: 'started', status: setupStatus() });
    standin.messages.delete(`CMESH/${ref!.ts}`);
    const next = await n.notify({ type: 'step-changed', step: 'preflight', status: setupStatus(), ref });
    expect(next.ref!.ts).not.toBe(ref!.ts);
    expect(standin.message('CMESH', next.ref!.ts)).toBeDefined();
  });

  it('fails without retry, naming the fix, when the app is not in the channel', async () => {
    // A private channel the app was never invited to: Slack answers channel_not_found.
    standin.addChannel({ id: 'CMESH', name: 'mesh', type: 'private', members: ['UREQUESTER'] });
    const err = await notifier().notify({ type: 'started', status: setupStatus() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toContain('invite @meshops');
  });

  it('posts nothing for a run that names no channel when no default channel is set', async () => {
    const status = setupStatus({ requester: { id: 'alice', groups: [], via: 'cli' } });
    await expect(notifier().notify({ type: 'started', status })).resolves.toEqual({ ref: undefined });
    expect(standin.calls).toHaveLength(0);
  });
});
