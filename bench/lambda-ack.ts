/**
 * Ack time of the Lambda handler (bot/lambda.ts) while Temporal is slow: signed `/mesh setup`
 * events go to the handler in this process while a TCP proxy in front of the Temporal dev server
 * holds every chunk of its frontend's traffic for 5 s (each way). The time is from calling the
 * handler to its answer, which is what Slack waits for (Lambda answers only when the handler has
 * returned; API Gateway's own hop is not included). A second handler on the direct, undelayed
 * address runs in the same run as the baseline. Slack's Web API is the local stand-in. Then
 * Approve clicks go to the slowed handler while Slack is slow too (the stand-in answering
 * usergroups.list and chat.postEphemeral 5 s late): the answer must still leave inside 3 s.
 * Writes bench/results/lambda-ack.json.
 *
 *   npm run bench:lambda-ack                      # 40 requests per handler at 4 req/s each
 *   BENCH_REQUESTS=100 BENCH_DELAY_MS=5000 npm run bench:lambda-ack
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../common/config';
import { APPROVAL_ACTION, approvalButtonValue } from '../common/approval-buttons';
import { createLambdaHandler, LAMBDA_ANSWER_WITHIN_MS, LAMBDA_TEMPORAL_BUDGET_MS } from '../bot/lambda';
import { SlackApiStandin } from '../test/harness/slack-api-standin';
import { buttonClickBody, sign, slashCommandBody } from '../test/harness/slack-requests';
import { startDelayProxy } from '../test/harness/tcp-delay-proxy';
import { benchTemporal } from './bench-temporal';
import { latencyStats } from './latency-stats';
import { openLoopAlternating } from './open-loop';
import { writeResult } from './write-result';

const SECRET = 'bench-lambda-secret';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40);
const RATE = Number(process.env.BENCH_RATE ?? 4);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 5_000);
const CLICKS = Number(process.env.BENCH_CLICKS ?? 20);

/** A signed Lambda (API Gateway v2) event carrying `body`. */
function lambdaEvent(body: string) {
  const ts = Math.floor(Date.now() / 1000);
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(SECRET, ts, body) }, isBase64Encoded: false, rawPath: '/slack/events', rawQueryString: '', routeKey: 'POST /slack/events', version: '2.0', requestContext: { http: { method: 'POST' } } };
}

async function run(): Promise<void> {
  const temporal = await benchTemporal();
  const proxy = await startDelayProxy(temporal.address, DELAY_MS);
  const standin = await SlackApiStandin.start({ botToken: 'xoxb-bench', channels: [{ id: 'CBENCH', name: 'bench', type: 'public', members: ['UBOTMESH', 'UBENCH1'] }] });
  const dir = mkdtempSync(join(tmpdir(), 'meshops-bench-lambda-'));
  const policyFile = join(dir, 'policy.yml');
  writeFileSync(policyFile, 'approvers: { groups: [oncall] }\nchannels: [{ channel: CBENCH, contexts: ["*"] }]\n');
  const stamp = Date.now();
  const queues = { slow: `bench-lambda-slow-${stamp}`, direct: `bench-lambda-direct-${stamp}` };
  const handlerFor = (address: string, taskQueue: string) =>
    createLambdaHandler({
      config: parseConfig({
        env: { SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standin.apiUrl, MESHOPS_POLICY_FILE: policyFile, TEMPORAL_ADDRESS: address, MESHOPS_TASK_QUEUE: taskQueue, LOG_LEVEL: 'fatal' },
        home: dir,
      }),
    });
  const handlers = { slow: handlerFor(proxy.address, queues.slow), direct: handlerFor(temporal.address, queues.direct) };
  const connection = await Connection.connect({ address: temporal.address });
  try {
    let n = 0;
    const answers = { slow: [] as string[], direct: [] as string[] };
    const send = async (which: 'slow' | 'direct'): Promise<number> => {
      const i = n++;
      const body = slashCommandBody({ text: `setup lb-${which}-${i}-a lb-${which}-${i}-b`, userId: 'UBENCH1', channelId: 'CBENCH', responseUrl: standin.responseUrl(`lambda-${i}`, { channel: 'CBENCH', user: 'UBENCH1' }) });
      const t0 = performance.now();
      const res = await handlers[which](lambdaEvent(body) as never, {});
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`the handler answered ${res.statusCode}: ${res.body}`);
      answers[which].push((JSON.parse(res.body) as { text: string }).text);
      return ms;
    };

    // Cold starts (the app built, auth.test, Temporal connected lazily), measured apart.
    const cold = { slow: await send('slow'), direct: await send('direct') };
    answers.slow.length = 0;
    answers.direct.length = 0;

    const out = await openLoopAlternating(['slow', 'direct'] as const, REQUESTS, RATE, send);

    // Approve clicks with Temporal and Slack slow: the status call runs out of budget, the group
    // lookup and the private answer wait on Slack; the listener must still return in time.
    standin.slowDown('usergroups.list', DELAY_MS, CLICKS);
    standin.slowDown('chat.postEphemeral', DELAY_MS, CLICKS);
    const clicks: number[] = [];
    for (let i = 0; i < CLICKS; i++) {
      const value = approvalButtonValue({ workflowId: `mesh/lb-click-${i}-a--lb-click-${i}-b`, step: 'install-remote' });
      const body = buttonClickBody({ userId: 'UBENCH1', channelId: 'CBENCH', actionId: APPROVAL_ACTION.approve, value, responseUrl: standin.responseUrl(`click-${i}`, { channel: 'CBENCH', user: 'UBENCH1' }), messageTs: '1764000000.000100' });
      const t = performance.now();
      const res = await handlers.slow(lambdaEvent(body) as never, {});
      clicks.push(performance.now() - t);
      if (res.statusCode !== 200) throw new Error(`the handler answered a click ${res.statusCode}: ${res.body}`);
    }

    // What really happened to the slowed starts: the server sees them 5 s late (with their deadline
    // passed); the answer said "may or may not have started", and this counts which.
    await new Promise((r) => setTimeout(r, DELAY_MS * 2 + 2_000));
    const client = new Client({ connection });
    const startedSlow = (await client.workflow.count(`TaskQueue = '${queues.slow}'`)).count;
    const startedDirect = (await client.workflow.count(`TaskQueue = '${queues.direct}'`)).count;

    const slow = latencyStats(out.slow);
    const direct = latencyStats(out.direct);
    const count = (list: string[], re: RegExp) => list.filter((t) => re.test(t)).length;
    writeResult('lambda-ack', {
      benchmark: 'ack time of bot/lambda.ts handling signed `/mesh setup` events in-process, Temporal frontend behind a proxy delaying its traffic, vs the same handler on the direct address',
      unit: 'ms from calling the Lambda handler to its answer (the HTTP response Slack waits for)',
      temporalDelayMs: DELAY_MS,
      temporalBudgetMs: LAMBDA_TEMPORAL_BUDGET_MS,
      requestsPerHandler: REQUESTS,
      ratePerHandler: RATE,
      slowTemporal: { ...slow, coldStartMs: Math.round(cold.slow * 100) / 100, answeredTemporalSlow: count(answers.slow, /Temporal is slow/), answeredStarted: count(answers.slow, /Started mesh/), workflowsStartedAnyway: startedSlow },
      directTemporal: { ...direct, coldStartMs: Math.round(cold.direct * 100) / 100, answeredStarted: count(answers.direct, /Started mesh/), workflowsStarted: startedDirect },
      clicksSlackAndTemporalSlow: { ...latencyStats(clicks), slackDelayMs: DELAY_MS, answerWithinMs: LAMBDA_ANSWER_WITHIN_MS },
      slackLimitMs: 3000,
      p99UnderSlackLimit: slow.p99 < 3000 && latencyStats(clicks).p99 < 3000,
    });
  } finally {
    await connection.close();
    await proxy.close();
    await standin.close();
    await temporal.stop();
  }
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
