import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { WebClient } from '@slack/web-api';
import { createSlackNotifier } from '../../activities/slack/notifier';
import { createMeshApp } from '../../bot/app';
import type { BotDeps } from '../../bot/deps';
import { createBotLogger } from '../../bot/logger';
import { AuthorizationPolicy } from '../../bot/policy';
import { createHttpReceiver } from '../../bot/receivers';
import { createUserGroupResolver, type UserGroupResolverOptions } from '../../bot/user-groups';
import { requestPathWebClient } from '../../bot/slack-clients';
import { createSlackChecks } from '../../bot/slack-checks';
import { MeshClient } from '../../client';
import { eventually } from '../harness/child-process';
import { FakeStepActivities } from '../harness/fake-step-activities';
import { startMeshTestWorker, type MeshTestWorker } from '../harness/mesh-test-worker';
import { SlackApiStandin } from '../harness/slack-api-standin';
import { testTemporalAddress } from '../harness/temporal-server';
import { buttonClickBody, postToSlackEndpoint, slashCommandBody } from '../harness/slack-requests';
import { viewSubmissionBody } from '../harness/slack/view-submission';
import type { Ephemeral, OpenedView } from '../harness/slack-api-standin';

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
/** Listed channels meshops cannot run in: a private channel it was not invited to, a public one it is not in, a DM with it, a DM between two people. */
export const PRIVATE_NOT_INVITED = 'GSECRET';
export const PUBLIC_NOT_INVITED = 'CNOTIN';
export const DM_WITH_BOT = 'DREQBOT';
export const DM_OF_PEOPLE = 'DREQAPPR';
/** A listed private channel meshops was invited to. */
export const PRIVATE_INVITED = 'GOPS';

/** Approvers through the `oncall` user group; the stand-in puts UAPPROVER and UREQUESTER (an on-call engineer starting a run) in it. */
export const TEST_POLICY = AuthorizationPolicy.parse({
  approvers: { groups: ['oncall'] },
  admins: { users: ['UADMIN'] },
  channels: [
    { channel: CHANNEL, contexts: ['*'] },
    { channel: NARROW_CHANNEL, contexts: ['narrow-a', 'narrow-b'] },
    ...[PRIVATE_NOT_INVITED, PUBLIC_NOT_INVITED, DM_WITH_BOT, DM_OF_PEOPLE, PRIVATE_INVITED].map((channel) => ({ channel, contexts: ['*'] })),
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
  /** Sends `/mesh text` like `command` and waits for the bot's answer to it (through that command's response_url). */
  ask(text: string, userId?: string, channelId?: string): Promise<Ephemeral>;
  /** Whether Temporal has a run with this workflow id. */
  runExists(workflowId: string): Promise<boolean>;
  click(actionId: string, value: string, userId: string, messageTs: string): Promise<{ status: number; body: string }>;
  /** Submits a modal the bot opened (standin.views) as `userId`, with input values by block and action id; the HTTP answer is the bot's ack (e.g. response_action errors). */
  submitView(view: OpenedView, userId: string, values: Record<string, Record<string, string | null>>): Promise<{ status: number; body: string }>;
  /** Answers the bot gave `userId` privately: through a click's response_url or chat.postEphemeral (not command answers). */
  privateAnswersTo(userId: string): Ephemeral[];
  stop(): Promise<void>;
}

/**
 * The bot as it runs: Bolt's real HTTPReceiver on a loopback port, its Web API client and the
 * notifier's pointed at the Slack stand-in, MeshClient on the real Temporal dev server, and a real
 * Worker running workflows/ with fake step activities and the real Slack notifier.
 */
export async function startBotKit(taskQueue: string, opts: { worker?: boolean; groups?: UserGroupResolverOptions } = {}): Promise<BotKit> {
  // The workspace as it would be: the bot installed with manifest.yml's scopes and invited to the
  // channels runs are started from; the unlisted channel is one it was never invited to.
  const standin = await SlackApiStandin.start({
    botToken: BOT_TOKEN,
    usergroups: [{ id: 'SONCALL', handle: 'oncall', users: [APPROVER, REQUESTER] }],
    channels: [
      { id: CHANNEL, name: 'mesh', type: 'public', members: [BOT_USER_ID, REQUESTER, APPROVER, OUTSIDER, 'UADMIN'] },
      { id: NARROW_CHANNEL, name: 'mesh-narrow', type: 'public', members: [BOT_USER_ID, REQUESTER, 'UADMIN'] },
      { id: UNLISTED_CHANNEL, name: 'random', type: 'public', members: [REQUESTER, 'UADMIN'] },
      { id: PRIVATE_NOT_INVITED, name: 'secret-ops', type: 'private', members: [REQUESTER, APPROVER] },
      { id: PUBLIC_NOT_INVITED, name: 'platform', type: 'public', members: [REQUESTER, APPROVER] },
      { id: DM_WITH_BOT, type: 'im', members: [REQUESTER, BOT_USER_ID] },
      { id: DM_OF_PEOPLE, type: 'im', members: [REQUESTER, APPROVER] },
      { id: PRIVATE_INVITED, name: 'ops', type: 'private', members: [BOT_USER_ID, REQUESTER, APPROVER] },
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
  // Without a worker nobody posts a run's message: the start reply does not wait long for one.
  const checks = createSlackChecks(BOT_TOKEN, standin.apiUrl, logger, { permalink: opts.worker === false ? { waitMs: 300 } : {} });
  const deps: BotDeps = { mesh, policy: TEST_POLICY, groups: createUserGroupResolver(requestPathWebClient(BOT_TOKEN, standin.apiUrl), logger, opts.groups), logger, temporalUi: { url: 'http://localhost:8233', namespace: 'default' }, ...checks };
  const receiver = createHttpReceiver({ signingSecret: SIGNING_SECRET, logger });
  const app = createMeshApp({ receiver, botToken: BOT_TOKEN, botId: 'BBOTMESH', botUserId: BOT_USER_ID, slackApiUrl: standin.apiUrl }, deps);
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

  const command = (text: string, userId = REQUESTER, channelId = CHANNEL) =>
    postToSlackEndpoint(eventsUrl, slashCommandBody({ text, userId, channelId, responseUrl: standin.responseUrl(`cmd-${userId}`, { channel: channelId, user: userId }) }), { secret: SIGNING_SECRET });

  return {
    standin,
    mesh,
    client,
    steps,
    logs,
    eventsUrl,
    command,
    async ask(text, userId = REQUESTER, channelId = CHANNEL) {
      const answers = () => standin.ephemerals.filter((e) => e.responseUrlId === `cmd-${userId}`);
      const before = answers().length;
      const res = await command(text, userId, channelId);
      if (res.status !== 200) throw new Error(`/mesh ${text}: HTTP ${res.status} ${res.body}`);
      await eventually(() => answers().length > before, `the answer to /mesh ${text}`);
      return answers()[before];
    },
    runExists: (workflowId) =>
      client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return false;
            throw err;
          },
        ),
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
    submitView: (view, userId, values) => postToSlackEndpoint(eventsUrl, viewSubmissionBody({ view, userId, values }), { secret: SIGNING_SECRET }),
    privateAnswersTo: (userId) => standin.ephemerals.filter((e) => e.user === userId && (e.via === 'chat.postEphemeral' || e.responseUrlId === `click-${userId}`)),
    async stop() {
      await app.stop();
      await worker?.stop();
      await connection.close();
      await standin.close();
    },
  };
}
