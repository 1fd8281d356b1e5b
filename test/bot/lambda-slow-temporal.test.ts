import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../common/config';
import { createLambdaHandler } from '../../bot/lambda';
import { SlackApiStandin } from '../harness/slack-api-standin';
import { sign, slashCommandBody } from '../harness/slack-requests';
import { startDelayProxy, type DelayProxy } from '../harness/tcp-delay-proxy';
import { testTemporalAddress } from '../harness/temporal-server';

/**
 * Issue 12: the Lambda handler answers Slack, with a truthful message, when Temporal is slow (a
 * proxy holding its frontend's traffic 5 s) or unreachable. No timing is asserted here; the
 * benchmark (bench/lambda-ack.ts) measures it.
 */
const SECRET = 'lambda-slow-secret';

describe('the Lambda handler with Temporal slow or unreachable', () => {
  let standin: SlackApiStandin;
  let proxy: DelayProxy;
  let closedPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'meshops-lambda-'));
  const policyFile = join(dir, 'policy.yml');
  writeFileSync(policyFile, 'approvers: { groups: [oncall] }\nchannels: [{ channel: CMESH, contexts: ["*"] }]\n');

  beforeAll(async () => {
    standin = await SlackApiStandin.start({ botToken: 'xoxb-lambda', channels: [{ id: 'CMESH', name: 'mesh', type: 'public', members: ['UBOTMESH', 'U1'] }] });
    proxy = await startDelayProxy(testTemporalAddress(), 5_000);
    // A port nothing listens on: Temporal unreachable.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });
  afterAll(async () => {
    await proxy.close();
    await standin.close();
  });

  const handlerFor = (temporalAddress: string) =>
    createLambdaHandler({
      config: parseConfig({
        env: { SLACK_BOT_TOKEN: 'xoxb-lambda', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standin.apiUrl, MESHOPS_POLICY_FILE: policyFile, TEMPORAL_ADDRESS: temporalAddress, MESHOPS_TASK_QUEUE: `lambda-slow-${Date.now()}`, LOG_LEVEL: 'fatal' },
        home: dir,
      }),
    });
  const event = (text: string) => {
    const body = slashCommandBody({ text, userId: 'U1', channelId: 'CMESH', responseUrl: standin.responseUrl('lambda-slow', { channel: 'CMESH', user: 'U1' }) });
    const ts = Math.floor(Date.now() / 1000);
    return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(SECRET, ts, body) }, isBase64Encoded: false, rawPath: '/slack/events', rawQueryString: '', routeKey: 'POST /slack/events', version: '2.0', requestContext: { http: { method: 'POST' } } };
  };
  const answerOf = (res: { statusCode: number; body: string }) => JSON.parse(res.body) as { text: string; response_type: string };

  it('answers a /mesh setup while Temporal is slow: 200 with an ephemeral "Temporal is slow… may or may not have started, check /mesh runs"', async () => {
    const handler = handlerFor(proxy.address);
    const res = await handler(event('setup slow-a slow-b'), {});
    expect(res.statusCode).toBe(200);
    const answer = answerOf(res);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('Temporal is slow: it did not answer in time, so I cannot tell whether your request to setup the mesh went through');
    expect(answer.text).toContain('/mesh runs');
    // The answer is the HTTP response itself: nothing is left to post after Lambda freezes.
    expect(standin.callsTo('response_url')).toEqual([]);
  });

  it('answers a /mesh status while Temporal is unreachable, without claiming anything happened', async () => {
    const handler = handlerFor(`127.0.0.1:${closedPort}`);
    const res = await handler(event('status mesh-setup/down-a--down-b'), {});
    expect(res.statusCode).toBe(200);
    const answer = answerOf(res);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/^:warning: (Temporal is slow: it did not answer in time|Could not status the mesh: .*Nothing was changed)/);
    expect(answer.text).not.toContain('Started mesh');
  });

  it('still starts the run and says so when Temporal answers in time', async () => {
    const handler = handlerFor(testTemporalAddress());
    const answer = answerOf(await handler(event('setup fast-a fast-b'), {}));
    expect(answer.text).toContain('Started mesh setup of `fast-a` ↔ `fast-b`');
  });
});
