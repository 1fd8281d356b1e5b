import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../common/config';
import { workflowIdFor } from '../../common/naming';
import { handler } from '../../bot/lambda';
import { botSettings, receiverKind } from '../../bot/settings';
import { eventually, spawnTs } from '../harness/child-process';
import { freePorts } from '../harness/kube/ports';
import { SlackApiStandin } from '../harness/slack-api-standin';
import { testTemporalAddress } from '../harness/temporal-server';
import { postToSlackEndpoint, sign, slashCommandBody } from '../harness/slack-requests';

const SECRET = 'entry-signing-secret';
const dir = mkdtempSync(join(tmpdir(), 'meshops-bot-'));
const policyFile = join(dir, 'policy.yml');
writeFileSync(policyFile, 'approvers: { groups: [oncall] }\nchannels: [{ channel: CMESH, contexts: ["*"] }]\n');
const config = (env: Record<string, string>) => parseConfig({ env, home: dir });
const logOf = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

describe('bot settings', () => {
  it('chooses Socket Mode when an app token is configured, HTTP otherwise', () => {
    expect(receiverKind(config({}))).toBe('http');
    expect(receiverKind(config({ SLACK_APP_TOKEN: 'xapp-1-A1-1-abc' }))).toBe('socket');
  });

  it.each([
    [{}, 'http', 'SLACK_BOT_TOKEN is not set'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'http', 'SLACK_SIGNING_SECRET is not set'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'socket', 'SLACK_APP_TOKEN is not set'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }, 'lambda', 'MESHOPS_POLICY_FILE is not set'],
  ] as const)('fails fast naming the missing variable: %j as %s', (env, kind, message) => {
    expect(() => botSettings(config(env), kind)).toThrow(message);
  });
});

describe('entry points against the stand-in and the real Temporal server', () => {
  let standin: SlackApiStandin;
  let connection: Connection;
  beforeAll(async () => {
    standin = await SlackApiStandin.start({ botToken: 'xoxb-entry-token', channels: [{ id: 'CMESH', name: 'mesh', type: 'public', members: ['UBOTMESH', 'U1'] }] });
    connection = await Connection.connect({ address: testTemporalAddress() });
  });
  afterAll(async () => {
    await connection.close();
    await standin.close();
  });

  const env = (taskQueue: string): Record<string, string> => ({
    SLACK_BOT_TOKEN: 'xoxb-entry-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: standin.apiUrl,
    MESHOPS_POLICY_FILE: policyFile,
    TEMPORAL_ADDRESS: testTemporalAddress(),
    MESHOPS_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'info',
  });

  it('bot/main.ts exits 1 naming the missing variable', async () => {
    const log = join(dir, 'main-missing.log');
    const child = spawnTs(join(__dirname, '../../bot/main.ts'), { ...env('unused'), SLACK_SIGNING_SECRET: '', SLACK_BOT_TOKEN: '', MESHOPS_CONFIG: '' }, log);
    expect(await child.exited).toBe(1);
    expect(logOf(log)).toContain('SLACK_BOT_TOKEN is not set');
  });

  it('bot/main.ts serves signed /mesh commands over HTTP and stops on SIGTERM', async () => {
    const taskQueue = `bot-main-${Date.now()}`;
    const [port] = await freePorts(1);
    const log = join(dir, 'main.log');
    const child = spawnTs(join(__dirname, '../../bot/main.ts'), { ...env(taskQueue), PORT: String(port) }, log);
    try {
      await eventually(() => logOf(log).includes('meshops bot listening'), 'the bot to listen');
      const body = slashCommandBody({ text: 'setup main-a main-b', userId: 'U1', channelId: 'CMESH', responseUrl: standin.responseUrl('main', { channel: 'CMESH', user: 'U1' }) });
      expect(await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, body, { secret: SECRET })).toEqual({ status: 200, body: '' });
      await eventually(() => standin.ephemerals.some((e) => e.responseUrlId === 'main'), 'the answer');
      const client = new Client({ connection });
      await expect(client.workflow.getHandle(workflowIdFor('setup', 'main-a', 'main-b')).describe()).resolves.toMatchObject({ type: 'meshSetup', taskQueue });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(logOf(log)).toContain('started mesh setup');
      expect(logOf(log)).not.toContain('xoxb-entry-token');
      expect(logOf(log)).not.toContain(SECRET);
    } finally {
      child.process.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
  });

  it('bot/lambda.ts handles an API Gateway event: signed commands are processed before it answers, forged ones refused', async () => {
    const taskQueue = `bot-lambda-${Date.now()}`;
    Object.assign(process.env, env(taskQueue));
    const event = (text: string, signature?: string) => {
      const body = slashCommandBody({ text, userId: 'U1', channelId: 'CMESH', responseUrl: standin.responseUrl('lambda', { channel: 'CMESH', user: 'U1' }) });
      const ts = Math.floor(Date.now() / 1000);
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature ?? sign(SECRET, ts, body) };
      return { body, headers, isBase64Encoded: false, rawPath: '/slack/events', rawQueryString: '', routeKey: 'POST /slack/events', version: '2.0', requestContext: { http: { method: 'POST' } } };
    };
    const forged = await handler(event('setup lambda-x lambda-y', `v0=${'f'.repeat(64)}`), {});
    expect(forged.statusCode).toBe(401);
    const ok = await handler(event('setup lambda-a lambda-b'), {});
    expect(ok.statusCode).toBe(200);
    // processBeforeResponse: by the time Lambda answers, the workflow has been started.
    const client = new Client({ connection });
    await expect(client.workflow.getHandle(workflowIdFor('setup', 'lambda-a', 'lambda-b')).describe()).resolves.toMatchObject({ type: 'meshSetup' });
    await expect(client.workflow.getHandle(workflowIdFor('setup', 'lambda-x', 'lambda-y')).describe()).rejects.toThrow();
  });
});
