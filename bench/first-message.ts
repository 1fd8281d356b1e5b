/**
 * Time to first message: from a signed `/mesh setup` sent to the real bot (bot/main.ts, its own
 * process) to the run's message arriving at the Slack stand-in, posted by the real notifier from a
 * real worker (fake steps) on the real dev server. Baseline in the same run, interleaved: a bare
 * workflow started directly whose one activity posts one message to the same stand-in, which is
 * the floor Temporal and the Web API client set. Writes bench/results/first-message.json.
 *
 *   npm run bench:first-message              # 50 runs of each
 */
import { createWorkflowSupportActivities } from '../activities/temporal';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { WebClient } from '@slack/web-api';
import { createSlackNotifier } from '../activities/slack/notifier';
import { eventually, spawnTs } from '../test/harness/child-process';
import { FakeStepActivities } from '../test/harness/fake-step-activities';
import { freePorts } from '../test/harness/kube/ports';
import { SlackApiStandin } from '../test/harness/slack-api-standin';
import { postToSlackEndpoint, slashCommandBody } from '../test/harness/slack-requests';
import { benchTemporal } from './bench-temporal';
import { latencyStats } from './latency-stats';
import { writeResult } from './write-result';

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const SECRET = 'bench-signing-secret';
const CHANNEL = 'CBENCH';

async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const temporal = await benchTemporal();
  const { address } = temporal;
  // The bot installed with manifest.yml's scopes and invited to the bench channel.
  const standin = await SlackApiStandin.start({ botToken: 'xoxb-bench', channels: [{ id: CHANNEL, name: 'bench', type: 'public', members: ['UBOTMESH', 'UBENCH'] }] });
  const taskQueue = `bench-first-${Date.now()}`;
  const web = new WebClient('xoxb-bench', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowsPath: require.resolve('./workflows/overhead-bundle'),
    activities: {
      ...createWorkflowSupportActivities(),
      ...new FakeStepActivities().activities(),
      ...createSlackNotifier({ client: web, namespace: 'default', defaultChannel: CHANNEL }),
      postMessage: async (text: string) => void (await web.chat.postMessage({ channel: CHANNEL, text })),
    },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const dir = mkdtempSync(join(tmpdir(), 'meshops-bench-'));
  const policyFile = join(dir, 'policy.yml');
  writeFileSync(policyFile, `approvers: { groups: [oncall] }\nchannels: [{ channel: ${CHANNEL}, contexts: ["*"] }]\n`);
  const [port] = await freePorts(1);
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  const bot = spawnTs(
    join(__dirname, '..', 'bot', 'main.ts'),
    { PORT: String(port), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: standin.apiUrl, MESHOPS_POLICY_FILE: policyFile, TEMPORAL_ADDRESS: address, MESHOPS_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn', MESHOPS_CONFIG: '' },
    join(dir, 'bot.log'),
  );
  /** Resolves when a message whose text contains `needle` reaches the stand-in. */
  const arrival = (needle: string) =>
    new Promise<number>((resolve) => {
      const check = () => {
        if (![...standin.messages.values()].some((m) => JSON.stringify(m).includes(needle))) return;
        standin.changes.off('change', check);
        resolve(performance.now());
      };
      standin.changes.on('change', check);
    });
  try {
    await eventually(() => fetch(eventsUrl, { method: 'POST' }).then(() => true, () => false), 'the bot to listen', 120_000);
    const product: number[] = [];
    const floor: number[] = [];
    for (let i = -5; i < RUNS; i++) {
      const pair = `fm${i + 5}`;
      let arrived = arrival(`mesh-setup/${pair}-local--${pair}-remote`);
      let t0 = performance.now();
      const body = slashCommandBody({ text: `setup ${pair}-local ${pair}-remote`, userId: 'UBENCH', channelId: CHANNEL, responseUrl: standin.responseUrl(`bench-${i}`, { channel: CHANNEL, user: 'UBENCH' }) });
      const answer = await postToSlackEndpoint(eventsUrl, body, { secret: SECRET });
      if (answer.status !== 200) throw new Error(`the bot answered ${answer.status}: ${answer.body}`);
      const productMs = (await arrived) - t0;
      arrived = arrival(`bare-first-message-${i}`);
      t0 = performance.now();
      await client.workflow.start('postOnce', { taskQueue, workflowId: `bench-bare-first-${Date.now()}-${i}`, args: [`bare-first-message-${i}`] });
      const floorMs = (await arrived) - t0;
      if (i < 0) continue;
      product.push(productMs);
      floor.push(floorMs);
    }
    const p = latencyStats(product);
    const f = latencyStats(floor);
    writeResult('first-message', {
      benchmark: 'time to first message: signed /mesh setup to the run\'s message in the Slack stand-in, vs a bare workflow whose one activity posts a message',
      unit: 'ms',
      runs: RUNS,
      meshops: p,
      bareWorkflow: f,
      ratio: { p50: Math.round((p.p50 / f.p50) * 100) / 100, p99: Math.round((p.p99 / f.p99) * 100) / 100 },
      target: 'meshops p99 <= 1000 ms',
    });
  } finally {
    bot.process.kill('SIGTERM');
    await bot.exited;
    worker.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
    await standin.close();
    await temporal.stop();
  }
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
