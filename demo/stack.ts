import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../worker/dev-server';
import { eventually, spawnTs, type Child } from '../test/harness/child-process';
import { findBinary, startClusters, type Clusters } from '../test/harness/kube';
import { freePorts } from '../test/harness/kube/ports';
import { SlackApiStandin } from '../test/harness/slack-api-standin';
import { meshopsCacheDir } from '../test/harness/kube/binaries';

/** Who is in the demo's Slack workspace. */
export const DEMO_SLACK = {
  channel: 'C0MESHDEMO',
  channelName: 'mesh-ops',
  signingSecret: 'demo-signing-secret',
  botToken: 'xoxb-meshops-demo',
  /** The bot's user id in the stand-in's workspace. */
  botUserId: 'UBOTMESH',
  requester: { id: 'U0ALICE', name: 'alice' },
  approver: { id: 'U0BOB', name: 'bob' },
  oncall: { id: 'S0ONCALL', handle: 'oncall' },
} as const;

export interface DemoStack {
  clusters: Clusters;
  temporal: Client;
  temporalUi: string;
  standin: SlackApiStandin;
  eventsUrl: string;
  logDir: string;
  stop(): Promise<void>;
}

export type Progress = (line: string) => void;

/** What to stop, newest first; filled while the stack starts, so Ctrl-C during a start stops what is already up. */
export class Teardown {
  private readonly stops: { what: string; stop: () => Promise<void> }[] = [];

  add(what: string, stop: () => Promise<void>): void {
    this.stops.push({ what, stop });
  }

  /** Stops everything, newest first; says what took long. */
  async run(progress: Progress = () => undefined): Promise<void> {
    for (const { what, stop } of this.stops.splice(0).reverse()) {
      const started = Date.now();
      await stop().catch((err: unknown) => progress(`stopping ${what} failed: ${(err as Error).message}`));
      const ms = Date.now() - started;
      if (ms > 1000) progress(`stopped ${what} (${(ms / 1000).toFixed(1)}s)`);
    }
  }
}

/** The demo's policy: alice may request, the on-call group (bob) approves, four-eyes on. */
function writePolicy(dir: string): string {
  const file = join(dir, 'policy.yml');
  const { channel, oncall, requester } = DEMO_SLACK;
  writeFileSync(file, `requesters: { users: [${requester.id}] }\napprovers: { groups: [${oncall.handle}] }\nchannels: [{ channel: ${channel}, contexts: ["*"] }]\nfourEyes: true\n`);
  return file;
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  child.process.kill('SIGTERM');
  const killer = setTimeout(() => child.process.kill('SIGKILL'), 20_000);
  await child.exited;
  clearTimeout(killer);
}

/**
 * Everything the demo runs, each as in production where it can be: the two test clusters with
 * their real istiod, the Temporal dev server, the worker and the bot as their own processes
 * (`worker/main.ts`, `bot/main.ts`), and the Slack stand-in in place of Slack. Each part is added
 * to `teardown` as soon as it runs; whatever started is stopped again if a later part fails.
 */
export async function startDemoStack(progress: Progress, teardown: Teardown): Promise<DemoStack> {
  const logDir = mkdtempSync(join(tmpdir(), 'meshops-demo-'));
  const stop = () => teardown.run();
  try {
    progress('starting the two test clusters (local, remote) in their own network namespace, and the Temporal dev server…');
    const started = Date.now();
    const [port, uiPort, botPort] = await freePorts(3);
    const cacheDir = meshopsCacheDir();
    const [clusters, server] = await Promise.all([
      startClusters().then((c) => (teardown.add('the test clusters', () => c.stop()), c)),
      startDevServer({ cacheDir, port, uiPort }).then((s: DevServer) => (teardown.add('the Temporal dev server', () => s.stop()), s)),
    ]);
    const temporalUi = `http://127.0.0.1:${uiPort}`;
    progress(`test clusters up in ${((Date.now() - started) / 1000).toFixed(1)}s (kubeconfig ${clusters.kubeconfigPath}); Temporal on ${server.address} (UI ${temporalUi})`);
    const connection = await Connection.connect({ address: server.address });
    teardown.add('the Temporal connection', () => connection.close());

    const { oncall, approver, requester, botToken, signingSecret, channel } = DEMO_SLACK;
    // The demo workspace: the app installed with manifest.yml's scopes, alice and bob in #mesh-ops, and the bot invited there.
    const standin = await SlackApiStandin.start({
      botToken,
      usergroups: [{ id: oncall.id, handle: oncall.handle, users: [approver.id] }],
      channels: [{ id: channel, name: DEMO_SLACK.channelName, type: 'public', members: [DEMO_SLACK.botUserId, requester.id, approver.id] }],
    });
    teardown.add('the Slack stand-in', () => standin.close());

    const common = { TEMPORAL_ADDRESS: server.address, TEMPORAL_UI_URL: temporalUi, SLACK_BOT_TOKEN: botToken, SLACK_API_URL: standin.apiUrl, LOG_LEVEL: 'info' };
    const workerLog = join(logDir, 'worker.log');
    const worker = spawnTs(
      join(__dirname, '..', 'worker', 'main.ts'),
      { ...common, KUBECONFIG: clusters.kubeconfigPath, MESHOPS_ISTIOCTL: findBinary('istioctl'), MESHOPS_ALLOW_DEV_ISTIOCTL: 'true', MESHOPS_SLACK_CHANNEL: channel },
      workerLog,
    );
    teardown.add('the worker', () => stopChild(worker));
    const bot = spawnTs(
      join(__dirname, '..', 'bot', 'main.ts'),
      { ...common, SLACK_SIGNING_SECRET: signingSecret, PORT: String(botPort), MESHOPS_POLICY_FILE: writePolicy(logDir) },
      join(logDir, 'bot.log'),
    );
    teardown.add('the bot', () => stopChild(bot));
    const eventsUrl = `http://127.0.0.1:${botPort}/slack/events`;
    await eventually(async () => {
      if (bot.process.exitCode !== null) throw new Error(`the bot exited (${bot.process.exitCode}): see ${join(logDir, 'bot.log')}`);
      return fetch(eventsUrl, { method: 'GET' }).then(() => true, () => false);
    }, `the bot's HTTP receiver on ${eventsUrl}`, 60_000);
    const temporal = new Client({ connection });
    await eventually(async () => {
      if (worker.process.exitCode !== null) throw new Error(`the worker exited (${worker.process.exitCode}): see ${join(logDir, 'worker.log')}`);
      return existsSync(workerLog) && readFileSync(workerLog, 'utf8').includes('"msg":"worker polling"');
    }, 'the worker polling the meshops task queue', 120_000);
    progress(`worker and bot running (logs in ${logDir}); ${requester.name} is in #${DEMO_SLACK.channelName}, ${approver.name} is on call`);
    return { clusters, temporal, temporalUi, standin, eventsUrl, logDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
