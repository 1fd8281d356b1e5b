/**
 * Ack latency of `/mesh setup` at a fixed request rate: the real bot (bot/main.ts: parse,
 * authorize, start a Temporal workflow after the ack) against a bare Bolt app that only acks
 * (bench/bare-ack-app.ts), in the same run, each in its own process, with requests to the two
 * interleaved so both see the same machine load. Both use Bolt's HTTPReceiver on loopback and
 * signed requests; Slack's Web API is the local stand-in; Temporal is a real dev server
 * (TEMPORAL_ADDRESS, or one started here). Writes bench/results/ack-latency.json.
 *
 *   npm run bench:ack                       # 20 req/s per app for 30 s after a warm-up
 *   BENCH_RATE=50 BENCH_SECONDS=60 npm run bench:ack
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { eventually, spawnTs, type Child } from '../test/harness/child-process';
import { freePorts } from '../test/harness/kube/ports';
import { SlackApiStandin } from '../test/harness/slack-api-standin';
import { postToSlackEndpoint, slashCommandBody } from '../test/harness/slack-requests';
import { benchTemporal } from './bench-temporal';
import { latencyStats } from './latency-stats';
import { openLoopAlternating } from './open-loop';

const SECRET = 'bench-signing-secret';
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP = 50;

async function run(): Promise<void> {
  const temporal = await benchTemporal();
  const { address } = temporal;
  // The bot installed with manifest.yml's scopes and invited to the bench channel.
  const standin = await SlackApiStandin.start({ botToken: 'xoxb-bench', channels: [{ id: 'CBENCH', name: 'bench', type: 'public', members: ['UBOTMESH', 'UBENCH1'] }] });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const taskQueue = `bench-ack-${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'meshops-bench-'));
  const policyFile = join(dir, 'policy.yml');
  writeFileSync(policyFile, 'approvers: { groups: [oncall] }\nchannels: [{ channel: CBENCH, contexts: ["*"] }]\n');
  const children: Child[] = [];
  try {
    const start = async (name: 'bare' | 'meshops', entry: string): Promise<string> => {
      const [port] = await freePorts(1);
      const log = join(dir, `${name}.log`);
      const env = { PORT: String(port), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: standin.apiUrl, MESHOPS_POLICY_FILE: policyFile, TEMPORAL_ADDRESS: address, MESHOPS_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn', MESHOPS_CONFIG: '' };
      const child = spawnTs(join(__dirname, '..', entry), env, log);
      children.push(child);
      // bot/main.ts logs its readiness at info; at warn it is silent, so poll the port instead.
      await eventually(async () => {
        if (child.process.exitCode !== null) throw new Error(`${entry} exited: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
        return fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST' }).then(() => true, () => false);
      }, `${entry} to listen`, 120_000);
      return `http://127.0.0.1:${port}/slack/events`;
    };
    const urls = { bare: await start('bare', 'bench/bare-ack-app.ts'), meshops: await start('meshops', 'bot/main.ts') };

    let n = 0;
    const send = async (url: string): Promise<number> => {
      const i = n++;
      const body = slashCommandBody({ text: `setup bench-${i}-local bench-${i}-remote`, userId: 'UBENCH1', channelId: 'CBENCH', responseUrl: standin.responseUrl(`bench-${i}`, { channel: 'CBENCH', user: 'UBENCH1' }) });
      const t0 = performance.now();
      const res = await postToSlackEndpoint(url, body, { secret: SECRET });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${res.body}`);
      return ms;
    };

    const drive = (perApp: number) => openLoopAlternating(['bare', 'meshops'] as const, perApp, RATE, (which) => send(urls[which]));

    await drive(WARMUP);
    const measured = await drive(RATE * SECONDS);
    const meshRequests = WARMUP + RATE * SECONDS;
    // The work after the ack really happened: every meshops request started a run and was answered.
    await eventually(() => standin.ephemerals.filter((e) => e.text?.includes('Started mesh setup')).length >= meshRequests, 'the bot to answer every request', 120_000);
    const started = (await client.workflow.count(`TaskQueue = '${taskQueue}'`)).count;

    const bare = latencyStats(measured.bare);
    const meshops = latencyStats(measured.meshops);
    const result = {
      benchmark: 'ack latency of signed `/mesh setup` over Bolt HTTPReceiver on loopback: bot/main.ts vs a bare Bolt app that only acks',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      ratePerApp: RATE,
      seconds: SECONDS,
      warmupPerApp: WARMUP,
      unit: 'ms from sending the request to the end of the HTTP answer',
      bare,
      meshops,
      ratio: { p50: Math.round((meshops.p50 / bare.p50) * 100) / 100, p99: Math.round((meshops.p99 / bare.p99) * 100) / 100 },
      meshopsRequests: meshRequests,
      workflowsStarted: started,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'ack-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    for (const c of children) c.process.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await connection.close();
    await standin.close();
    await temporal.stop();
  }
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
