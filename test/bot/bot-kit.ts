import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { WebClient } from '@slack/web-api';
import { createSlackNotifier } from '../../activities/slack/notifier';
import { createMeshApp } from '../../bot/app';
import type { BotDeps } from '../../bot/deps';
import { createBotLogger } from '../../bot/logger';
import { AuthorizationPolicy } from '../../bot/policy';
import { createHttpReceiver } from '../../bot/receivers';
import { createUserGroupResolver } from '../../bot/user-groups';
import { MeshClient } from '../../client';
import { FakeStepActivities } from '../harness/fake-step-activities';
import { startMeshTestWorker, type MeshTestWorker } from '../harness/mesh-test-worker';
import { SlackApiStandin } from '../harness/slack-api-standin';
import { testTemporalAddress } from '../harness/temporal-server';
import { buttonClickBody, postToSlackEndpoint, slashCommandBody } from '../harness/slack-requests';

export const SIGNING_SECRET = 'test-signing-secret-8f3a';
export const BOT_TOKEN = 'xoxb-test-bot-token';
export const CHANNEL = 'CMESH';
export const REQUESTER = 'UREQUESTER';
export const APPROVER = 'UAPPROVER';
export const OUTSIDER = 'UOUTSIDER';
/** The bot's own user id in the stand-in's workspace. */
export const BOT_USER_ID = 'UBOTMESH';
/** A listed channel that may only name the contexts narrow-a and narrow-b. */
export const NARROW_CHANNEL = 'CNARROW';
/** A channel the policy does not list. */
export const UNLISTED_CHANNEL = 'CUNLISTED';

/** Approvers through the `oncall` user group; the stand-in puts UAPPROVER and UREQUESTER (an on-call engineer starting a run) in it. */
export const TEST_POLICY = AuthorizationPolicy.parse({
  approvers: { groups: ['oncall'] },
  admins: { users: ['UADMIN'] },
  channels: [
    { channel: CHANNEL, contexts: ['*'] },
    { channel: NARROW_CHANNEL, contexts: ['narrow-a', 'narrow-b'] },
  ],
});

export interface BotKit {
  standin: SlackApiStandin;
  mesh: MeshClient;
  client: Client;
  steps: FakeStepActivities;
  /** Everything the bot logged, one JSON object per line. */
  logs: Record<string, unknown>[];
  eventsUrl: string;
  /** Sends `/mesh text` from `channelId` (CHANNEL unless given); the answer goes to a fresh response_url labelled `cmd-<userId>`. */
  command(text: string, userId?: string, channelId?: string): Promise<{ status: number; body: string }>;
  click(actionId: string, value: string, userId: string, messageTs: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/**
 * The bot as it runs: Bolt's real HTTPReceiver on a loopback port, its Web API client and the
 * notifier's pointed at the Slack stand-in, MeshClient on the real Temporal dev server, and a real
 * Worker running workflows/ with fake step activities and the real Slack notifier.
 */
export async function startBotKit(taskQueue: string, opts: { worker?: boolean } = {}): Promise<BotKit> {
  // The workspace as it would be: the bot installed with manifest.yml's scopes and invited to the
  // channels runs are started from; the unlisted channel is one it was never invited to.
  const standin = await SlackApiStandin.start({
    botToken: BOT_TOKEN,
    usergroups: [{ id: 'SONCALL', handle: 'oncall', users: [APPROVER, REQUESTER] }],
    channels: [
      { id: CHANNEL, name: 'mesh', type: 'public', members: [BOT_USER_ID, REQUESTER, APPROVER, OUTSIDER, 'UADMIN'] },
      { id: NARROW_CHANNEL, name: 'mesh-narrow', type: 'public', members: [BOT_USER_ID, REQUESTER, 'UADMIN'] },
      { id: UNLISTED_CHANNEL, name: 'random', type: 'public', members: [REQUESTER, 'UADMIN'] },
    ],
  });
  const connection = await Connection.connect({ address: testTemporalAddress() });
  const client = new Client({ connection });
  const mesh = new MeshClient({ client, taskQueue });
  const steps = new FakeStepActivities();
  const web = new WebClient(BOT_TOKEN, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
  let worker: MeshTestWorker | undefined;
  if (opts.worker !== false) {
    worker = await startMeshTestWorker(taskQueue, { ...steps.activities(), ...createSlackNotifier({ client: web, namespace: 'default', temporalUiUrl: 'http://localhost:8233' }) });
  }

  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createBotLogger('info', sink);
  const deps: BotDeps = { mesh, policy: TEST_POLICY, groups: createUserGroupResolver(web, logger), logger, temporalUi: { url: 'http://localhost:8233', namespace: 'default' } };
  const receiver = createHttpReceiver({ signingSecret: SIGNING_SECRET, logger });
  const app = createMeshApp({ receiver, botToken: BOT_TOKEN, botId: 'BBOTMESH', botUserId: BOT_USER_ID, slackApiUrl: standin.apiUrl }, deps);
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

  return {
    standin,
    mesh,
    client,
    steps,
    logs,
    eventsUrl,
    command: (text, userId = REQUESTER, channelId = CHANNEL) =>
      postToSlackEndpoint(eventsUrl, slashCommandBody({ text, userId, channelId, responseUrl: standin.responseUrl(`cmd-${userId}`, { channel: channelId, user: userId }) }), { secret: SIGNING_SECRET }),
    click: (actionId, value, userId, messageTs) =>
      postToSlackEndpoint(
        eventsUrl,
        buttonClickBody({
          userId,
          channelId: CHANNEL,
          actionId,
          value,
          messageTs,
          threadTs: standin.message(CHANNEL, messageTs)?.thread_ts,
          responseUrl: standin.responseUrl(`click-${userId}`, { channel: CHANNEL, user: userId, messageTs }),
        }),
        { secret: SIGNING_SECRET },
      ),
    async stop() {
      await app.stop();
      await worker?.stop();
      await connection.close();
      await standin.close();
    },
  };
}
